/** What `deno task build` leaves in `_fresh/manifest.json`, read by the server at start-up. */
export interface BuildManifest {
  /** Hash of every build input; `start` rebuilds only when it differs. */
  inputHash: string;
  builtAt: string;
  /** URL of the client runtime chunk (boot + preact + signals, shared chunks aside). */
  runtime: string;
  /** Island chunk key (file base name) → chunk URL. */
  islands: Record<string, { url: string; file: string }>;
  /** Chunk URL → URLs of the chunks it imports statically (for modulepreload). */
  imports: Record<string, string[]>;
  /** Hashed stylesheet URLs. */
  styles: string[];
  /** Hashed URLs of the fonts every page preloads (absent in builds without any). */
  fonts?: string[];
}

/** URL prefix of build outputs; served with immutable caching since every name is content-hashed. */
export const BUILD_URL_PREFIX = "/_frsh/";
