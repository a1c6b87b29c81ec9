import assert from "node:assert/strict";
import { compareSpecificity, scanRoutes, toPattern } from "./fs_routes.ts";

Deno.test("toPattern: Fresh file names become Hono patterns", () => {
  assert.equal(toPattern(["index"]), "/");
  assert.equal(toPattern(["challenges", "index"]), "/challenges");
  assert.equal(toPattern(["challenges", "[id]"]), "/challenges/:id");
  assert.equal(toPattern(["(site)", "faq"]), "/faq");
  assert.equal(toPattern(["docs", "[...path]"]), "/docs/:path{.+}");
  assert.equal(toPattern(["shop", "[[page]]"]), "/shop/:page?");
  assert.equal(toPattern(["api", "challenges", "[id]", "progress"]), "/api/challenges/:id/progress");
});

Deno.test("compareSpecificity: static before parameter before catch-all", () => {
  const sorted = ["/docs/:path{.+}", "/admin/:id", "/admin/new", "/"].sort(compareSpecificity);
  assert.deepEqual(sorted, ["/admin/new", "/admin/:id", "/docs/:path{.+}", "/"]);
});

Deno.test("scanRoutes: specials found, colocated folders and tests skipped", async () => {
  const tree = await scanRoutes(new URL("../tests/fixtures/basic/routes", import.meta.url).pathname);
  const patterns = tree.routes.map((r) => r.pattern);
  assert.ok(patterns.includes("/about"));
  assert.ok(patterns.includes("/colocated"));
  assert.ok(!patterns.some((p) => p.includes("_islands") || p.includes("Toggle")));
  assert.ok(patterns.indexOf("/admin/new") < patterns.indexOf("/admin/:id"));
  assert.ok(tree.app?.endsWith("_app.tsx"));
  assert.ok(tree.notFound?.endsWith("_404.tsx"));
  assert.ok(tree.error?.endsWith("_error.tsx"));
  assert.deepEqual([...tree.middlewares.keys()].sort(), ["", "admin"]);
  assert.deepEqual(tree.routes.find((r) => r.pattern === "/admin/:id")?.dirs, ["", "admin"]);
});
