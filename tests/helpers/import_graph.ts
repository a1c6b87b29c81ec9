/**
 * The import graph of the source tree and the layer rules it must keep (see /work/shared/STYLE.md, "Where
 * things go"). Imports are read as text: static `import … from`, `export … from`, side-effect `import "…"`
 * and `import("…")` with a literal specifier. Only relative specifiers are edges between our files; a bare
 * specifier (`postgres`, `node:fs`, `hono/…`) is kept as a package so server-only code can be recognised.
 *
 * @example
 * const graph = await readImportGraph(".");
 * for (const v of checkArchitecture(graph)) console.log(v.message);
 */

/** One import of one file: the specifier as written and the repository path it names (relative ones). */
export type ImportEdge = { specifier: string; target: string | null };

/** File (repository-relative, `/`-separated) → its imports. Test files are not part of the graph. */
export type ImportGraph = Map<string, ImportEdge[]>;

export type Violation = {
  rule:
    | "data-through-services"
    | "db-is-the-floor"
    | "lib-is-the-framework"
    | "island-is-browser-safe"
    | "cycle"
    | "one-sql-type";
  file: string;
  specifier: string;
  message: string;
};

/** The folders (and the one root file) whose modules make the application. */
export const SOURCE_ROOTS = ["routes", "islands", "components", "services", "db", "lib", "fresh.config.ts"];

/** Packages that only run on the server: a module importing one cannot be shipped to the browser. */
const SERVER_PACKAGES = [
  "postgres",
  "redis",
  "@electric-sql/pglite",
  "@electric-sql/pglite-socket",
  "@node-rs/argon2",
  "nodemailer",
  "smtp-server",
  "aws4fetch",
  "esbuild",
  "@tailwindcss/cli",
];

const STATIC_IMPORT =
  /(?:^|\n)[ \t]*(?:import|export)[ \t]+(?:type[ \t]+)?(?:[\w$*{},\s]*?[ \t\n]from[ \t]*)?["']([^"'\n]+)["']/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"'\n]+)["']\s*\)/g;

/** Every specifier a module's text imports, in order of appearance, without duplicates. */
export function parseImports(source: string): string[] {
  const found = new Set<string>();
  for (const re of [STATIC_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of source.matchAll(re)) found.add(match[1]);
  }
  return [...found];
}

/** Resolves `specifier` written in `from` to a repository path, or `null` for a package specifier. */
export function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const segment of specifier.split("/")) {
    if (segment === "..") parts.pop();
    else if (segment !== ".") parts.push(segment);
  }
  return parts.join("/");
}

/** True for files that hold tests or exist only for them; they may reach across layers. */
export function isTestFile(path: string): boolean {
  return /_test\.tsx?$/.test(path) || path.startsWith("tests/");
}

/** Reads the import graph of the application modules under `root` (test files left out). */
export async function readImportGraph(root: string): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  const visit = async (path: string): Promise<void> => {
    const info = await Deno.stat(`${root}/${path}`);
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(`${root}/${path}`)) await visit(`${path}/${entry.name}`);
      return;
    }
    if (!/\.tsx?$/.test(path) || isTestFile(path)) return;
    const source = await Deno.readTextFile(`${root}/${path}`);
    graph.set(
      path,
      parseImports(source).map((specifier) => ({ specifier, target: resolveSpecifier(path, specifier) })),
    );
  };
  for (const start of SOURCE_ROOTS) await visit(start);
  return graph;
}

/** The top folder of a repository path (`routes`, `db`, …), or the file name for a root file. */
function layerOf(path: string): string {
  return path.split("/")[0];
}

/** A tagged SQL template (`sql\`…\``, `sql<Row[]>\`…\``, `tx\`…\``): a query written where it stands. */
const RAW_SQL = /\b(?:sql|tx)\s*(?:<[^`]{0,400}?>)?\s*`/;

/** True when `source` runs a query of its own rather than calling a service. */
export function runsRawSql(source: string): boolean {
  return RAW_SQL.test(source);
}

/** A type alias over the driver's handle (`type Sql = postgres.Sql | …`): `db/client.ts` declares the one. */
const SQL_TYPE_ALIAS =
  /^[ \t]*(?:export[ \t]+)?type[ \t]+\w+[ \t]*=[^;]*\bpostgres\.(?:Sql|TransactionSql)\b/m;

/** True when `source` declares its own query-handle type instead of importing `Sql`/`Tx` from db/client.ts. */
export function redeclaresSqlType(source: string): boolean {
  return SQL_TYPE_ALIAS.test(source);
}

/** The application modules under `root` (test files left out), read one by one. */
async function* sourceFiles(root: string, starts: string[]): AsyncGenerator<[string, string]> {
  const walk = async function* (path: string): AsyncGenerator<[string, string]> {
    const info = await Deno.stat(`${root}/${path}`);
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(`${root}/${path}`)) yield* walk(`${path}/${entry.name}`);
    } else if (/\.tsx?$/.test(path) && !isTestFile(path)) {
      yield [path, await Deno.readTextFile(`${root}/${path}`)];
    }
  };
  for (const start of starts) yield* walk(start);
}

/**
 * Text rules the import graph cannot see: routes, islands and components that run SQL themselves, and any
 * module but db/client.ts that declares its own `Sql` type.
 */
export async function findSqlOutOfPlace(root: string): Promise<Violation[]> {
  const violations: Violation[] = [];
  for await (const [path, source] of sourceFiles(root, SOURCE_ROOTS)) {
    if (["routes", "islands", "components"].includes(layerOf(path)) && runsRawSql(source)) {
      violations.push({
        rule: "data-through-services",
        file: path,
        specifier: "",
        message: `${path} runs SQL itself: routes, islands and components reach data only through services`,
      });
    }
    if (path !== "db/client.ts" && redeclaresSqlType(source)) {
      violations.push({
        rule: "one-sql-type",
        file: path,
        specifier: "",
        message: `${path} declares its own query-handle type: import \`Sql\` (or \`Tx\`) from db/client.ts`,
      });
    }
  }
  return violations;
}

/** Checks every layer rule and returns each breach with the importing file and the import as written. */
export function checkArchitecture(graph: ImportGraph): Violation[] {
  return [...checkLayers(graph), ...checkIslands(graph), ...checkCycles(graph)];
}

function checkLayers(graph: ImportGraph): Violation[] {
  const violations: Violation[] = [];
  for (const [file, edges] of graph) {
    const from = layerOf(file);
    for (const { specifier, target } of edges) {
      if (target === null || isTestFile(target)) continue;
      const to = layerOf(target);
      const breach = (rule: Violation["rule"], why: string) =>
        violations.push({
          rule,
          file,
          specifier,
          message: `${file} imports "${specifier}" (${target}): ${why}`,
        });
      if (["routes", "islands", "components"].includes(from) && to === "db") {
        breach("data-through-services", "routes, islands and components reach data only through services");
      }
      if (from === "db" && to !== "db") {
        breach(
          "db-is-the-floor",
          "db/ imports nothing of ours above it (client, embedded database, migrations)",
        );
      }
      if (from === "lib" && ["services", "routes", "db", "islands", "components"].includes(to)) {
        breach("lib-is-the-framework", "lib/ is the framework and knows nothing of the domain");
      }
    }
  }
  return violations;
}

/** Why a package cannot run in the browser, or `null` when it can. */
function packageReason(specifier: string): string | null {
  const pkg = specifier.replace(/^npm:/, "");
  const serverOnly = specifier.startsWith("node:") ||
    SERVER_PACKAGES.some((p) => pkg === p || pkg.startsWith(`${p}/`) || pkg.startsWith(`${p}@`));
  return serverOnly ? `"${specifier}" is server-only` : null;
}

/** Why a module cannot run in the browser, or `null` when nothing it imports (transitively) forbids it. */
function serverOnlyReasons(graph: ImportGraph): Map<string, string | null> {
  const reasons = new Map<string, string | null>();
  const reasonOf = (file: string, stack: Set<string>): string | null => {
    if (reasons.has(file)) return reasons.get(file)!;
    if (stack.has(file)) return null; // a cycle is reported on its own; do not loop here
    if (layerOf(file) === "db") return "db/ is server-only";
    stack.add(file);
    let reason: string | null = null;
    for (const { specifier, target } of graph.get(file) ?? []) {
      if (target === null) {
        reason = packageReason(specifier);
      } else {
        const inner = reasonOf(target, stack);
        if (inner !== null) reason = `${target} → ${inner}`;
      }
      if (reason !== null) break;
    }
    stack.delete(file);
    reasons.set(file, reason);
    return reason;
  };
  for (const file of graph.keys()) reasonOf(file, new Set());
  return reasons;
}

function checkIslands(graph: ImportGraph): Violation[] {
  const reasons = serverOnlyReasons(graph);
  const violations: Violation[] = [];
  for (const [file, edges] of graph) {
    if (layerOf(file) !== "islands") continue;
    for (const { specifier, target } of edges) {
      const reason = target === null ? packageReason(specifier) : reasons.get(target) ??
        (layerOf(target) === "db" ? "db/ is server-only" : null);
      if (reason === null) continue;
      violations.push({
        rule: "island-is-browser-safe",
        file,
        specifier,
        message:
          `${file} imports "${specifier}", which the browser cannot run (${reason}): islands import only pure code`,
      });
    }
  }
  return violations;
}

/** Every import cycle (strongly connected set of files), reported once with the imports that close it. */
function checkCycles(graph: ImportGraph): Violation[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const targets = (file: string) =>
    (graph.get(file) ?? []).map((e) => e.target).filter((t): t is string => t !== null && graph.has(t));
  const strongConnect = (file: string) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of targets(file)) {
      if (!index.has(next)) {
        strongConnect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfLoop = component.length === 1 && targets(file).includes(file);
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) strongConnect(file);

  return components.map((members) => {
    const inside = new Set(members);
    const edges = members.flatMap((file) =>
      (graph.get(file) ?? []).filter((e) => e.target !== null && inside.has(e.target)).map((e) =>
        `${file} → "${e.specifier}"`
      )
    );
    return {
      rule: "cycle",
      file: members[0],
      specifier: edges[0].split(" → ")[1].slice(1, -1),
      message: `import cycle among ${members.join(", ")}: ${edges.join("; ")}`,
    };
  });
}
