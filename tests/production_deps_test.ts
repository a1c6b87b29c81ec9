import assert from "node:assert/strict";
import { type ImportGraph, isTestFile, parseImports, readImportGraph } from "./helpers/import_graph.ts";
import {
  devPackagesOf,
  type Lock,
  lockAmbiguities,
  npmName,
  productionImportBreaches,
  productionLockBreaches,
  TEST_SUPPORT,
} from "./helpers/production_deps.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(`${ROOT}/${path}`));
const imports: Record<string, string> = (await readJson("deno.json")).imports;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

const depsFiles = await filesUnder("tests/deps");
const devPackages = devPackagesOf(await Promise.all(depsFiles.map((f) => Deno.readTextFile(`${ROOT}/${f}`))));

Deno.test("tests/deps/ names the dev-only packages, and none of them is in deno.json's import map", () => {
  for (const name of ["playwright-core", "@axe-core/playwright", "fast-check", "lighthouse", "smtp-server"]) {
    assert.ok(devPackages.has(name), `tests/deps/ should provide ${name}`);
  }
  const mapped = Object.values(imports).filter((value) => devPackages.has(npmName(value) ?? ""));
  assert.deepEqual(mapped, [], "a dev-only package in the import map is installed by every production start");
});

Deno.test("no application module imports a test tool, a test module or a package outside the import map", async () => {
  const graph = await readImportGraph(ROOT);
  assert.ok(graph.has("fresh.config.ts") && graph.size > 100, "the reader found the application");
  assert.deepEqual(productionImportBreaches(graph, imports, new Set(devPackages.keys())), []);
});

Deno.test("deno.lock holds the production packages only, pinned as deno.dev.lock pins them", async () => {
  const prod: Lock = await readJson("deno.lock");
  const dev: Lock = await readJson("deno.dev.lock");
  assert.deepEqual(
    productionLockBreaches(prod, dev, imports, new Set(devPackages.keys())),
    [],
    "a test or bench command ran without --lock=deno.dev.lock: `git checkout deno.lock`; after a change to the " +
      "import map: `rm deno.lock && deno install`, then " +
      "`cp deno.lock deno.dev.lock && deno task install:dev` (the dev lock starts from the production pins)",
  );
  for (const specifier of devPackages.values()) {
    assert.ok(
      specifier in (dev.specifiers ?? {}),
      `deno.dev.lock lacks ${specifier}: run deno task install:dev`,
    );
  }
});

Deno.test("each lock names every dependency unambiguously, as deno itself writes it", async () => {
  assert.deepEqual(lockAmbiguities(await readJson("deno.lock"), "deno.lock"), []);
  assert.deepEqual(lockAmbiguities(await readJson("deno.dev.lock"), "deno.dev.lock"), []);
});

Deno.test("the ambiguity checker reports a bare dependency name held at two versions", () => {
  const lock: Lock = {
    npm: {
      "@opentelemetry/api@1.9.1": { integrity: "a" },
      "@opentelemetry/api@1.10.0": { integrity: "b" },
      "prom-client@15.1.3": { integrity: "c", dependencies: ["@opentelemetry/api", "tdigest"] },
      "tdigest@0.1.2": { integrity: "d" },
    },
  };
  assert.deepEqual(lockAmbiguities(lock, "x.lock"), [
    "x.lock: prom-client@15.1.3 depends on @opentelemetry/api, of which it holds @opentelemetry/api@1.9.1, " +
    "@opentelemetry/api@1.10.0; rebuild it with deno",
  ]);
});

Deno.test("tests and benches write each dev-only package's version once, in tests/deps/", async () => {
  const elsewhere: string[] = [];
  const sources = [
    ...await filesUnder("tests"),
    ...await filesUnder("bench"),
    ...await filesUnder("services"),
  ]
    .filter((f) => !/^tests\/(deps|artifacts|fixtures)\//.test(f))
    .filter((f) => isTestFile(f) || f.startsWith("bench/") || TEST_SUPPORT.includes(f));
  for (const file of sources) {
    const direct = parseImports(await Deno.readTextFile(`${ROOT}/${file}`)).filter((s) =>
      s.startsWith("npm:")
    );
    for (const s of direct) elsewhere.push(`${file}: ${s}`);
  }
  assert.deepEqual(elsewhere, []);
});

// The checkers must be able to fail: each planted breach is reported by name.
Deno.test("the checkers report a dev tool, a direct npm: specifier and a test module imported by the app", () => {
  const graph: ImportGraph = new Map([
    ["services/a.ts", [{ specifier: "playwright-core", target: null }]],
    ["services/b.ts", [{ specifier: "npm:left-pad@1.3.0", target: null }]],
    ["routes/c.tsx", [{ specifier: "../tests/helpers/db.ts", target: "tests/helpers/db.ts" }]],
    ["lib/d.ts", [{ specifier: "hono/cookie", target: null }, { specifier: "node:fs", target: null }]],
    ["services/storage/testing.ts", [{ specifier: "npm:@20minutes/s3rver@5.0.0", target: null }]],
  ]);
  const breaches = productionImportBreaches(graph, { "hono/": "npm:/hono@4/" }, new Set(["playwright-core"]));
  assert.equal(breaches.length, 3, breaches.join("\n"));
  assert.match(breaches[0], /services\/a\.ts imports "playwright-core", a dev-only package/);
  assert.match(breaches[1], /services\/b\.ts imports "npm:left-pad@1\.3\.0", which is not in deno\.json/);
  assert.match(breaches[2], /routes\/c\.tsx imports "\.\.\/tests\/helpers\/db\.ts", a test module/);
});

Deno.test("the lock checker reports a dev package, an unmapped specifier and a version the dev lock lacks", () => {
  const prod: Lock = {
    specifiers: { "npm:hono@4.1.0": "4.1.0", "npm:lighthouse@13.5.0": "13.5.0" },
    npm: {
      "hono@4.1.0": { integrity: "a" },
      "lighthouse@13.5.0": { integrity: "b" },
      "ms@2.1.3": { integrity: "c" },
    },
  };
  const dev: Lock = { npm: { "hono@4.1.0": { integrity: "a" }, "lighthouse@13.5.0": { integrity: "b" } } };
  const breaches = productionLockBreaches(prod, dev, { hono: "npm:hono@4.1.0" }, new Set(["lighthouse"]));
  assert.deepEqual(breaches, [
    "deno.lock resolves npm:lighthouse@13.5.0, which deno.json's import map does not name",
    "deno.lock holds the dev-only package lighthouse@13.5.0",
    "deno.lock holds ms@2.1.3, which deno.dev.lock lacks: tests would run on other versions",
  ]);
});
