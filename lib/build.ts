import * as esbuild from "esbuild";
import { join, relative, walk } from "./fs.ts";
import { discoverIslands } from "./islands.ts";
import { sha256Hex } from "./crypto.ts";
import { BUILD_URL_PREFIX, type BuildManifest } from "./build_manifest.ts";

export interface BuildOptions {
  /** Absolute project directory. */
  root: string;
  routesDir?: string;
  islandDirs?: string[];
  /** Where outputs and `manifest.json` go, relative to root. */
  outDir?: string;
  /** Tailwind entry stylesheet relative to root; skipped when the file does not exist. */
  cssEntry?: string;
  /** Development builds keep names readable and skip minification. */
  dev?: boolean;
  /** Directories whose sources feed the build (hashed to decide whether a rebuild is needed). */
  inputDirs?: string[];
  /** Files copied into the build under a content-hashed name (served with immutable caching), e.g. fonts. */
  assets?: BuildAsset[];
}

/**
 * One file the build publishes. The stylesheet refers to it by its plain URL (`/_frsh/<url>`); the build
 * rewrites that to the hashed name, so a new font version can never be served from a stale cache.
 */
export interface BuildAsset {
  /** Path under the build URL prefix, e.g. `fonts/inter-latin.woff2`. */
  url: string;
  /** Source file, relative to root (an npm package's file under `node_modules/`, say). */
  file: string;
  /** Fonts every page needs at first paint are preloaded, so text does not wait for the stylesheet. */
  preload?: boolean;
}

const RUNTIME_ENTRY = new URL("./client/boot.ts", import.meta.url).pathname;

function resolved(opts: BuildOptions) {
  return {
    root: opts.root,
    routesDir: opts.routesDir ?? "routes",
    islandDirs: opts.islandDirs ?? ["islands"],
    outDir: join(opts.root, opts.outDir ?? "_fresh"),
    cssEntry: opts.cssEntry ?? "static/styles.css",
    dev: opts.dev ?? false,
    inputDirs: opts.inputDirs ?? ["routes", "islands", "components", "static", "lib"],
    assets: opts.assets ?? [],
  };
}

/** The directories whose sources the build hashes: `inputDirs` and the island directories. */
export function buildInputDirs(opts: BuildOptions): string[] {
  const o = resolved(opts);
  return [...new Set([...o.inputDirs, ...o.islandDirs])];
}

/** Reads the manifest of the last build, or null if there is none. */
export async function readManifest(root: string, outDir = "_fresh"): Promise<BuildManifest | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(root, outDir, "manifest.json")));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * Hashes every source file that can change the build output, plus deno.json (dependency versions) and
 * the build mode, so `start` can skip a build that would produce the same files.
 */
async function inputHash(opts: BuildOptions): Promise<string> {
  const o = resolved(opts);
  const parts: string[] = [`dev=${o.dev}`];
  for (const dir of buildInputDirs(opts)) {
    for await (const entry of walk(join(o.root, dir))) {
      if (!/\.(tsx?|jsx?|css|svg)$/.test(entry.name)) continue;
      parts.push(relative(o.root, entry.path), await Deno.readTextFile(entry.path));
    }
  }
  for (const asset of o.assets) parts.push(asset.url, asset.file, String(asset.preload));
  for (const file of ["deno.json"]) {
    try {
      parts.push(file, await Deno.readTextFile(join(o.root, file)));
    } catch { /* optional */ }
  }
  return await sha256Hex(parts.join("\0"));
}

/** Builds only when sources changed since the last build; returns the manifest in use. */
export async function ensureBuild(opts: BuildOptions): Promise<BuildManifest> {
  const o = resolved(opts);
  const [current, hash] = await Promise.all([
    readManifest(o.root, relative(o.root, o.outDir)),
    inputHash(opts),
  ]);
  if (current && current.inputHash === hash) return current;
  return await build(opts, hash);
}

/**
 * Bundles the client runtime and one chunk per island file (shared code such as preact split into common
 * chunks), builds the Tailwind stylesheet, and writes content-hashed files plus `manifest.json`.
 */
export async function build(opts: BuildOptions, hash?: string): Promise<BuildManifest> {
  const o = resolved(opts);
  const islands = await discoverIslands(o.root, o.islandDirs, o.routesDir);
  const jsDir = join(o.outDir, "static", "js");
  await Deno.remove(o.outDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(jsDir, { recursive: true });

  const entryPoints: Record<string, string> = { runtime: RUNTIME_ENTRY };
  for (const island of islands) entryPoints[`island-${island.base}`] = island.file;

  const result = await esbuild.build({
    entryPoints,
    absWorkingDir: o.root,
    outdir: jsDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox110", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: !o.dev,
    sourcemap: o.dev ? "linked" : false,
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    metafile: true,
    write: true,
    legalComments: "none",
    define: { "process.env.NODE_ENV": JSON.stringify(o.dev ? "development" : "production") },
    logLevel: "silent",
  });
  await esbuild.stop();

  const toUrl = (out: string) => `${BUILD_URL_PREFIX}js/${out.slice(out.lastIndexOf("/") + 1)}`;
  const manifest: BuildManifest = {
    inputHash: hash ?? await inputHash(opts),
    builtAt: new Date().toISOString(),
    runtime: "",
    islands: {},
    imports: {},
    styles: [],
  };
  for (const [out, meta] of Object.entries(result.metafile!.outputs)) {
    if (!out.endsWith(".js")) continue;
    const url = toUrl(out);
    manifest.imports[url] = meta.imports.filter((i) => i.kind === "import-statement").map((i) =>
      toUrl(i.path)
    );
    if (!meta.entryPoint) continue;
    const entryFile = join(o.root, meta.entryPoint);
    if (entryFile === RUNTIME_ENTRY) manifest.runtime = url;
    const island = islands.find((i) => i.file === entryFile);
    if (island) manifest.islands[island.base] = { url, file: relative(o.root, island.file) };
  }

  const assets = await copyAssets(o.root, o.assets, o.outDir);
  manifest.fonts = o.assets.filter((a) => a.preload).map((a) => assets[`${BUILD_URL_PREFIX}${a.url}`]);
  const css = await buildCss(o.root, o.cssEntry, o.outDir, o.dev, assets);
  if (css) manifest.styles.push(css);

  await Deno.writeTextFile(join(o.outDir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Runs the Tailwind v4 CLI (its native scanner needs FFI, so a child process keeps that out of the server). */
async function buildCss(
  root: string,
  entry: string,
  outDir: string,
  dev: boolean,
  assets: Record<string, string>,
): Promise<string | null> {
  const input = join(root, entry);
  try {
    await Deno.stat(input);
  } catch {
    return null;
  }
  const tmp = join(outDir, "styles.tmp.css");
  const args = ["run", "-A", await tailwindSpecifier(), "-i", input, "-o", tmp];
  if (!dev) args.push("--minify");
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`Tailwind build failed:\n${new TextDecoder().decode(out.stderr)}`);
  let text = await Deno.readTextFile(tmp);
  for (const [plain, hashed] of Object.entries(assets)) text = text.replaceAll(plain, hashed);
  await Deno.remove(tmp);
  const name = `styles-${(await sha256Hex(text)).slice(0, 12)}.css`;
  await Deno.mkdir(join(outDir, "static", "css"), { recursive: true });
  await Deno.writeTextFile(join(outDir, "static", "css", name), text);
  return `${BUILD_URL_PREFIX}css/${name}`;
}

/** Copies each asset to `<outDir>/static/<dir>/<name>-<hash>.<ext>`; returns plain URL → hashed URL. */
async function copyAssets(
  root: string,
  assets: BuildAsset[],
  outDir: string,
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const asset of assets) {
    const bytes = await Deno.readFile(join(root, asset.file));
    const hash = (await sha256Hex(bytes)).slice(0, 12);
    const dot = asset.url.lastIndexOf(".");
    const hashed = `${asset.url.slice(0, dot)}-${hash}${asset.url.slice(dot)}`;
    const target = join(outDir, "static", hashed);
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(target, bytes);
    urls[`${BUILD_URL_PREFIX}${asset.url}`] = `${BUILD_URL_PREFIX}${hashed}`;
  }
  return urls;
}

/** The CLI version pinned in the project's deno.json, so the build and the import map never disagree. */
async function tailwindSpecifier(): Promise<string> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const spec = denoJson.imports?.["@tailwindcss/cli"];
  if (typeof spec !== "string") throw new Error('deno.json must map "@tailwindcss/cli" to an npm: specifier');
  return spec;
}
