import { createHash } from "node:crypto";
import { type ComponentType, createContext, Fragment, h, options, type VNode } from "preact";
import { useContext } from "preact/hooks";
import { renderToString } from "preact-render-to-string";
import type { IslandMeta, IslandRegistry } from "./islands.ts";
import { escapeScriptJson, SerializationError, serialize } from "./serialize.ts";
import type { PageProps } from "./define.ts";
import type { BuildManifest } from "./build_manifest.ts";

/** An island rendered on this page, with the props it must be revived with. */
interface RenderedIsland {
  meta: IslandMeta;
  props: Record<string, unknown>;
}

/**
 * Per-render state travels through Preact context, not module globals, so concurrent renders never see
 * each other's islands. `inIsland` stops marking below an island: the browser renders that subtree itself.
 */
interface RenderState {
  islands: RenderedIsland[];
  inIsland: boolean;
}

const RenderContext = createContext<RenderState | null>(null);

/** Island component → the boundary component that replaces it during SSR. */
const boundaries = new WeakMap<ComponentType<never>, ComponentType<Record<string, unknown>>>();

let hookInstalled = false;

/**
 * Swaps island components for their boundary as vnodes are created. `options.vnode` is Preact's public
 * hook; the previous hook (e.g. @preact/signals') still runs.
 */
function installVNodeHook() {
  if (hookInstalled) return;
  hookInstalled = true;
  const previous = options.vnode;
  options.vnode = (vnode) => {
    const boundary = typeof vnode.type === "function"
      ? boundaries.get(vnode.type as ComponentType<never>)
      : undefined;
    if (boundary) (vnode as { type: unknown }).type = boundary;
    previous?.(vnode);
  };
}

/** Makes the components of `registry` recognisable during SSR. */
export function registerIslands(registry: IslandRegistry): void {
  installVNodeHook();
  for (const [component, meta] of registry.entries()) {
    if (boundaries.has(component)) continue;
    boundaries.set(component, makeBoundary(component, meta));
  }
}

function makeBoundary(Island: ComponentType<never>, meta: IslandMeta) {
  function IslandBoundary(props: Record<string, unknown>) {
    const state = useContext(RenderContext);
    const inner = h(Island as ComponentType<Record<string, unknown>>, props);
    inner.type = Island as ComponentType<Record<string, unknown>>; // undo the hook for the real component
    if (!state || state.inIsland) return inner;
    const index = state.islands.push({ meta, props }) - 1;
    return h(
      Fragment,
      null,
      h(Fragment, { UNSTABLE_comment: `frsh:island:${meta.name}:${index}` } as Record<string, unknown>),
      h(RenderContext.Provider, { value: { islands: state.islands, inIsland: true } }, inner),
      h(Fragment, { UNSTABLE_comment: "/frsh:island" } as Record<string, unknown>),
    );
  }
  IslandBoundary.displayName = `Island(${meta.name})`;
  return IslandBoundary;
}

interface RenderInput<State> {
  app: ComponentType<PageProps<unknown, State>> | null;
  layouts: ComponentType<PageProps<unknown, State>>[];
  page: ComponentType<PageProps<unknown, State>>;
  props: Omit<PageProps<unknown, State>, "Component">;
  manifest: BuildManifest;
  /**
   * Called only when the page has scripts; a page without them needs no nonce. Null: the page is rendered
   * to be cached and sent to everyone, so its scripts carry no nonce and are allowed by the hash of their
   * text instead (`RenderOutput.hashes`).
   */
  nonce: (() => string) | null;
  /** Extra module script run in development (live reload). */
  devScript?: string;
}

interface RenderOutput {
  html: string;
  /** Chunk URLs to announce with `Link: rel=modulepreload`. */
  preload: string[];
  /** The nonce used by the boot script, or null when the page ships no script or is hash-allowed. */
  nonce: string | null;
  /**
   * Base64 SHA-256 of the text of each inline script the browser executes, in hash mode (`nonce: null`);
   * empty when the page ships no script. The JSON props block is data, never executed, so it needs none.
   */
  hashes: string[];
}

/** Renders one page (app → layouts → page) to a complete HTML document in one synchronous pass. */
export function renderPage<State>(input: RenderInput<State>): RenderOutput {
  const { props } = input;
  const Page = () => h(input.page, { ...props, Component: Empty });
  const Inner = input.layouts.reduceRight<ComponentType<Record<never, never>>>(
    (Wrapped, Layout) => () => h(Layout, { ...props, Component: Wrapped }),
    Page,
  );
  const tree = (input.app ? h(input.app, { ...props, Component: Inner }) : h(Inner, {})) as VNode;

  const state: RenderState = { islands: [], inIsland: false };
  const body = renderToString(h(RenderContext.Provider, { value: state }, tree));

  // Fonts first: the browser fetches them alongside the stylesheet instead of after parsing it.
  const head: string[] = [
    ...(input.manifest.fonts ?? []).map((href) =>
      `<link rel="preload" href="${href}" as="font" type="font/woff2" crossorigin>`
    ),
    ...input.manifest.styles.map((href) => `<link rel="stylesheet" href="${href}">`),
  ];
  const tail: string[] = [];
  let nonce: string | null = null;
  const hashes: string[] = [];
  let preload: string[] = [];
  if ((state.islands.length > 0 || input.devScript) && input.nonce) nonce = input.nonce();
  // ` nonce="…"` on each script and preload, or nothing in hash mode (a modulepreload is not a
  // parser-inserted script, so 'strict-dynamic' admits it without one).
  const attr = nonce ? ` nonce="${nonce}"` : "";
  const moduleScript = (code: string) => {
    if (!nonce) hashes.push(createHash("sha256").update(code).digest("base64"));
    return `<script type="module"${attr}>${code}</script>`;
  };
  if (state.islands.length > 0) {
    const boot = bootScripts(state.islands, input.manifest);
    tail.push(
      `<script id="__FRSH_STATE" type="application/json"${attr}>${boot.payload}</script>`,
      moduleScript(boot.code),
    );
    preload = boot.preload;
    head.push(...preload.map((href) => `<link rel="modulepreload" href="${href}"${attr}>`));
  }
  if (input.devScript) tail.push(moduleScript(input.devScript));

  let html = body.startsWith("<html") ? `<!DOCTYPE html>${body}` : body;
  html = insertBefore(html, "</head>", head.join(""));
  html = insertBefore(html, "</body>", tail.join(""));
  return { html, preload, nonce, hashes };
}

function Empty() {
  return null;
}

function insertBefore(html: string, marker: string, text: string): string {
  if (!text) return html;
  const at = html.lastIndexOf(marker);
  return at === -1 ? html + text : html.slice(0, at) + text + html.slice(at);
}

/**
 * The JSON props payload (escaped for a `<script>` element) and the text of the module script that imports
 * the runtime and each island chunk used and boots them.
 */
function bootScripts(islands: RenderedIsland[], manifest: BuildManifest) {
  let payload: string;
  try {
    payload = serialize(islands.map((i) => i.props), "islands");
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    // "islands[2].onClick: functions …" → name the island and its prop instead of the index.
    const match = /^islands\[(\d+)\]\.?(.*)$/.exec(error.path);
    const island = match ? islands[Number(match[1])].meta : undefined;
    const prop = match?.[2] || "(props)";
    throw new SerializationError(
      `island "${island?.name ?? "?"}" prop "${prop}"`,
      error.message.slice(error.path.length + 2),
    );
  }

  const chunks = [...new Set(islands.map((i) => i.meta.chunk))];
  const imports = chunks.map((chunk, i) => {
    const url = manifest.islands[chunk]?.url;
    if (!url) throw new Error(`island chunk "${chunk}" is missing from the build; run \`deno task build\``);
    return `import * as m${i} from "${url}";`;
  });
  const names = [...new Map(islands.map((i) => [i.meta.name, i.meta])).values()].map((meta) =>
    `${JSON.stringify(meta.name)}:m${chunks.indexOf(meta.chunk)}[${JSON.stringify(meta.exportName)}]`
  );
  const preload = [
    ...new Set([
      manifest.runtime,
      ...manifest.imports[manifest.runtime] ?? [],
      ...chunks.flatMap((chunk) => {
        const url = manifest.islands[chunk].url;
        return [url, ...manifest.imports[url] ?? []];
      }),
    ]),
  ];
  const code = `import{boot}from"${manifest.runtime}";${imports.join("")}` +
    `boot({${names.join(",")}},"__FRSH_STATE");`;
  return { payload: escapeScriptJson(payload), code, preload };
}
