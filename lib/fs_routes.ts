import { relative, walk } from "./fs.ts";

/** A routable file under `routes/`, with the Hono pattern it answers and the folders it sits in. */
interface RouteFile {
  file: string;
  /** Hono path pattern, e.g. `/challenges/:id`. */
  pattern: string;
  /** Folders from `routes/` down to the file's own (group folders included), e.g. ["", "(site)", "(site)/faq"]. */
  dirs: string[];
}

/** What a `routes/` tree contains, by Fresh's file conventions. */
interface RouteTree {
  routes: RouteFile[];
  /** Folder → its `_layout` file. */
  layouts: Map<string, string>;
  /** Folder → its `_middleware` file. */
  middlewares: Map<string, string>;
  app: string | null;
  notFound: string | null;
  error: string | null;
}

const ROUTE_EXT = /\.(tsx|ts|jsx|js)$/;

/**
 * Reads `routesDir` the way Fresh does: `index` files answer their folder, `[id]` is a parameter,
 * `[...rest]` a catch-all, `(group)` folders do not appear in the URL, `(_components)`/`(_islands)`-style
 * folders and `*_test` files are not routes, and `_app`/`_layout`/`_middleware`/`_404`/`_error` are special.
 * Routes come back ordered most specific first, which is the order they must be registered in.
 */
export async function scanRoutes(routesDir: string): Promise<RouteTree> {
  const tree: RouteTree = {
    routes: [],
    layouts: new Map(),
    middlewares: new Map(),
    app: null,
    notFound: null,
    error: null,
  };
  for await (const entry of walk(routesDir)) {
    if (!ROUTE_EXT.test(entry.name)) continue;
    const rel = relative(routesDir, entry.path);
    const segments = rel.split("/");
    if (segments.some((s) => /^\(_.*\)$/.test(s))) continue; // colocated components/islands
    if (/_test\.[jt]sx?$/.test(entry.name)) continue;

    const name = entry.name.replace(ROUTE_EXT, "");
    const dir = segments.slice(0, -1).join("/");
    switch (name) {
      case "_app":
        if (dir === "") tree.app = entry.path;
        continue;
      case "_layout":
        tree.layouts.set(dir, entry.path);
        continue;
      case "_middleware":
        tree.middlewares.set(dir, entry.path);
        continue;
      case "_404":
        if (dir === "") tree.notFound = entry.path;
        continue;
      case "_500":
      case "_error":
        if (dir === "") tree.error = entry.path;
        continue;
    }
    if (name.startsWith("_")) continue; // private helper module beside routes

    tree.routes.push({
      file: entry.path,
      pattern: toPattern([...segments.slice(0, -1), name]),
      dirs: ancestors(dir),
    });
  }
  tree.routes.sort((a, b) => compareSpecificity(a.pattern, b.pattern));
  return tree;
}

/** `["challenges", "[id]", "index"]` → `/challenges/:id`. */
export function toPattern(segments: string[]): string {
  const parts: string[] = [];
  for (const seg of segments) {
    if (/^\(.*\)$/.test(seg)) continue;
    if (seg === "index") continue;
    let m;
    if ((m = /^\[\.\.\.(\w+)\]$/.exec(seg))) parts.push(`:${m[1]}{.+}`);
    else if ((m = /^\[\[(\w+)\]\]$/.exec(seg))) parts.push(`:${m[1]}?`);
    else parts.push(seg.replace(/\[(\w+)\]/g, ":$1"));
  }
  return "/" + parts.join("/");
}

function ancestors(dir: string): string[] {
  const parts = dir === "" ? [] : dir.split("/");
  return ["", ...parts.map((_, i) => parts.slice(0, i + 1).join("/"))];
}

function segmentRank(seg: string): number {
  if (seg.includes("{.+}")) return 0;
  if (seg.startsWith(":")) return seg.endsWith("?") ? 1 : 2;
  return 3;
}

/** Static segments beat parameters, which beat catch-alls; then longer paths first. */
export function compareSpecificity(a: string, b: string): number {
  const sa = a.split("/").filter(Boolean);
  const sb = b.split("/").filter(Boolean);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const diff = segmentRank(sb[i]) - segmentRank(sa[i]);
    if (diff !== 0) return diff;
  }
  if (sa.length !== sb.length) return sb.length - sa.length;
  return a.localeCompare(b);
}
