import assert from "node:assert/strict";
import {
  checkArchitecture,
  findSqlOutOfPlace,
  type ImportGraph,
  parseImports,
  readImportGraph,
  redeclaresSqlType,
  resolveSpecifier,
  runsRawSql,
} from "./helpers/import_graph.ts";
import { buildInputDirs } from "../lib/build.ts";
import { buildOptions } from "../fresh.config.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("the source tree keeps its layers: no back-edge, no cycle, no server code in an island", async () => {
  const graph = await readImportGraph(root);
  assert.ok(graph.size > 100, `read only ${graph.size} modules: the walk missed the tree`);
  const violations = [...checkArchitecture(graph), ...await findSqlOutOfPlace(root)];
  assert.deepEqual(violations.map((v) => v.message), []);
});

/** A synthetic graph from `file: [specifier…]`; relative specifiers resolve as in the real tree. */
function graphOf(files: Record<string, string[]>): ImportGraph {
  return new Map(
    Object.entries(files).map((
      [file, specifiers],
    ) => [file, specifiers.map((specifier) => ({ specifier, target: resolveSpecifier(file, specifier) }))]),
  );
}

Deno.test("the checker names each layer breach: the importing file and the import as written", async (t) => {
  const cases: [string, Record<string, string[]>, string, string][] = [
    [
      "a route reading the database",
      {
        "routes/admin/index.tsx": ["../../db/client.ts"],
        "db/client.ts": [],
      },
      "data-through-services",
      "routes/admin/index.tsx",
    ],
    [
      "a component reading the database",
      {
        "components/list.tsx": ["../db/client.ts"],
        "db/client.ts": [],
      },
      "data-through-services",
      "components/list.tsx",
    ],
    [
      "db/ importing a service",
      {
        "db/plans.ts": ["../services/plans/definition.ts"],
        "services/plans/definition.ts": [],
      },
      "db-is-the-floor",
      "db/plans.ts",
    ],
    [
      "db/ importing lib/",
      {
        "db/client.ts": ["../lib/errors.ts"],
        "lib/errors.ts": [],
      },
      "db-is-the-floor",
      "db/client.ts",
    ],
    [
      "lib/ importing a service",
      {
        "lib/app.ts": ["../services/deps.ts"],
        "services/deps.ts": [],
      },
      "lib-is-the-framework",
      "lib/app.ts",
    ],
    [
      "lib/ importing a route",
      {
        "lib/app.ts": ["../routes/_define.ts"],
        "routes/_define.ts": [],
      },
      "lib-is-the-framework",
      "lib/app.ts",
    ],
    [
      "an island importing a module that (two steps down) needs postgres",
      {
        "islands/search.tsx": ["../services/faq/search.ts"],
        "services/faq/search.ts": ["./queries.ts"],
        "services/faq/queries.ts": ["postgres"],
      },
      "island-is-browser-safe",
      "islands/search.tsx",
    ],
    [
      "an island importing node: code",
      {
        "islands/clock.tsx": ["node:fs"],
      },
      "island-is-browser-safe",
      "islands/clock.tsx",
    ],
    [
      "a service importing a route that imports it back",
      {
        "services/mail/outbox.ts": ["../../routes/_define.ts"],
        "routes/_define.ts": ["../services/mail/outbox.ts"],
      },
      "cycle",
      "routes/_define.ts",
    ],
    [
      "a provider registry and its providers",
      {
        "services/pay/provider.ts": ["./demo.ts"],
        "services/pay/demo.ts": ["./provider.ts"],
      },
      "cycle",
      "services/pay/demo.ts",
    ],
  ];
  for (const [name, files, rule, file] of cases) {
    await t.step(name, () => {
      const found = checkArchitecture(graphOf(files));
      assert.ok(
        found.some((v) => v.rule === rule && v.file === file && v.message.includes(file)),
        `expected ${rule} in ${file}, got ${JSON.stringify(found)}`,
      );
    });
  }
  await t.step("a clean graph has nothing to report", () => {
    const clean = graphOf({
      "routes/faq.tsx": ["../services/faq/queries.ts", "../islands/faq_search.tsx", "hono"],
      "islands/faq_search.tsx": ["../services/faq/search.ts", "preact/hooks"],
      "services/faq/search.ts": [],
      "services/faq/queries.ts": ["../../db/client.ts", "./search.ts", "postgres"],
      "db/client.ts": ["postgres"],
    });
    assert.deepEqual(checkArchitecture(clean), []);
  });
});

Deno.test("the import reader finds static, re-exported, side-effect and dynamic imports but not prose", () => {
  const source = [
    "/**",
    ' * import { nope } from "./in_a_comment.ts";',
    " */",
    'import { a, type B } from "./a.ts";',
    "import type {",
    "  C,",
    '} from "../c.ts";',
    'import "./side_effect.ts";',
    'export { d } from "./d.ts";',
    'export * from "./e.ts";',
    'const f = await import("./f.ts");',
    "const s = \"import x from './not_code.ts'\";",
  ].join("\n");
  assert.deepEqual(parseImports(source), [
    "./a.ts",
    "../c.ts",
    "./side_effect.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
  ]);
  assert.equal(resolveSpecifier("routes/admin/index.tsx", "../../db/client.ts"), "db/client.ts");
  assert.equal(resolveSpecifier("routes/index.tsx", "hono"), null);
});

Deno.test("a page that runs its own query is caught; one that calls a service is not", () => {
  assert.ok(
    runsRawSql(
      "const { sql } = ctx.state.deps.db;\nconst rows = await sql<{ n: number; m: string }[]>`select 1`;",
    ),
  );
  assert.ok(runsRawSql("await tx`update users set role = 'admin'`;"));
  assert.ok(!runsRawSql("const overview = await backOfficeOverview(ctx.state.deps.db);"));
  assert.ok(!runsRawSql("const md = `# heading`; // not a query"));
});

Deno.test("a module that restates the query-handle type is caught; one that imports it is not", () => {
  assert.ok(redeclaresSqlType("type Sql = postgres.Sql | postgres.TransactionSql;"));
  assert.ok(redeclaresSqlType('import postgres from "postgres";\nexport type Tx = postgres.TransactionSql;'));
  assert.ok(!redeclaresSqlType('import type { Sql } from "../../db/client.ts";'));
  assert.ok(!redeclaresSqlType("function f(tx: postgres.TransactionSql) {}"));
});

Deno.test("every module the browser bundles is among the build's inputs, so changing it rebuilds", async () => {
  // The build is skipped when its inputs hash the same (lib/build.ts ensureBuild). An island bundles what it
  // imports, services/ included (plan_preview's labels, the monitor's rows): a change there was served
  // from the stale bundle until some other input changed.
  const graph = await readImportGraph(root);
  const bundled = new Set<string>();
  const visit = (file: string) => {
    if (bundled.has(file)) return;
    bundled.add(file);
    for (const edge of graph.get(file) ?? []) if (edge.target && graph.has(edge.target)) visit(edge.target);
  };
  for (const file of graph.keys()) if (file.startsWith("islands/")) visit(file);
  assert.ok([...bundled].some((f) => f.startsWith("services/")), "islands import services (the walk works)");
  const inputs = buildInputDirs(buildOptions);
  const outside = [...bundled].filter((file) => !inputs.some((dir) => file.startsWith(`${dir}/`))).sort();
  assert.deepEqual(outside, []);
});
