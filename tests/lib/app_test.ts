import assert from "node:assert/strict";
import { fixtureApp, reportedErrors } from "../helpers/fixture_app.ts";

Deno.test("lib app: routing, layouts, middleware, errors", async (t) => {
  const app = await fixtureApp();

  await t.step("a page without islands ships no script and a script-src 'none' CSP", async () => {
    const res = await app.request("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await res.text();
    assert.match(html, /^<!DOCTYPE html><html lang="en">/);
    assert.match(html, /<h1>Home without islands<\/h1>/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(res.headers.get("content-security-policy")!, /script-src 'none'/);
    assert.match(res.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("strict-transport-security")!, /max-age=\d+/);
  });

  await t.step("_app wraps _layout wraps nested _layout wraps the page", async () => {
    const html = await (await app.request("/admin/42")).text();
    const order = ["<body", 'id="root-layout"', 'id="admin-layout"', 'id="admin-item"'].map((s) =>
      html.indexOf(s)
    );
    assert.ok(order.every((at, i) => at > -1 && (i === 0 || at > order[i - 1])), `nesting order in ${html}`);
    assert.match(html, /item 42/);
  });

  await t.step("middleware runs outer to inner, array order kept, before the handler", async () => {
    const res = await app.request("/admin/7");
    assert.equal(res.headers.get("x-trail"), "root-a>root-b>admin>handler");
    assert.match(await res.text(), /<p id="admin-item" data-trail="root-a>root-b>admin>handler">/);
  });

  await t.step("static segments win over parameters; groups and catch-alls mount", async () => {
    assert.match(await (await app.request("/admin/new")).text(), /new item form/);
    assert.match(await (await app.request("/about")).text(), /about us/);
    assert.match(await (await app.request("/docs/a/b/c")).text(), /doc a\/b\/c/);
  });

  await t.step("per-method handlers; an unsupported method is 405 with Allow", async () => {
    const posted = await app.request("/admin/9", { method: "POST" });
    assert.equal(posted.status, 200);
    assert.deepEqual(await posted.json(), { posted: "9" });
    const res = await app.request("/admin/9", { method: "DELETE" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD, POST");
    await res.body?.cancel();
  });

  await t.step("the route table lists every file route with the methods it answers", () => {
    const admin = app.fileRoutes.find((r) => r.pattern === "/admin/:id");
    assert.deepEqual(admin?.methods, ["GET", "HEAD", "POST"]);
    assert.deepEqual(app.fileRoutes.find((r) => r.pattern === "/about")?.methods, ["GET", "HEAD"]);
    assert.equal(typeof admin?.module.handler, "object");
  });

  await t.step("unknown path renders _404 inside _app with root middleware", async () => {
    const res = await app.request("/nope");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("x-trail"), "root-a>root-b");
    const html = await res.text();
    assert.match(html, /<h1 id="not-found">Page not found<\/h1>/);
    assert.match(html, /id="root-layout"/);
  });

  await t.step("a thrown error renders _error as 500 and leaks nothing", async () => {
    const res = await app.request("/boom");
    assert.equal(res.status, 500);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await res.text();
    assert.match(html, /Error 500/);
    assert.doesNotMatch(html, /secret internal detail/);
  });

  await t.step("API errors use the JSON error shape", async () => {
    const res = await app.request("/api/thing");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { error: { code: "not_found", message: "No such thing." } });
    const missing = await app.request("/api/missing");
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "not_found");
  });

  await t.step("an island prop that cannot be serialized names the island and the prop", async () => {
    const res = await app.request("/bad-island");
    assert.equal(res.status, 500);
    await res.body?.cancel();
    const error = reportedErrors.at(-1) as Error;
    assert.match(
      error.message,
      /^island "CountView" prop "onPick": functions cannot be sent to the browser$/,
    );
  });

  await t.step("page cache: island-free page cached until its tag is invalidated", async () => {
    const first = await app.request("/cached");
    assert.equal(first.headers.get("x-page-cache"), "miss");
    const n = Number((await first.text()).match(/id="renders">(\d+)</)![1]);
    const second = await app.request("/cached", { headers: { "accept-encoding": "gzip" } });
    assert.equal(second.headers.get("x-page-cache"), "hit");
    assert.equal(second.headers.get("content-encoding"), "gzip");
    await second.body?.cancel();
    const etag = first.headers.get("etag")!;
    const revalidated = await app.request("/cached", { headers: { "if-none-match": etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(app.pageCache.invalidate("things"), 1);
    const third = await app.request("/cached");
    assert.match(await third.text(), new RegExp(`id="renders">${n + 1}<`));
  });

  await t.step("build outputs are immutable; unknown assets 404", async () => {
    const html = await (await app.request("/islands")).text();
    const runtime = html.match(/import\{boot\}from"([^"]+)"/)![1];
    const res = await app.request(runtime, { headers: { "accept-encoding": "gzip" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(res.headers.get("content-encoding"), "gzip");
    await res.body?.cancel();
    const missing = await app.request("/_frsh/js/nope.js");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("lib app: islands are marked, props escaped, nonce matches the CSP", async () => {
  const app = await fixtureApp();
  const res = await app.request("/islands");
  assert.equal(res.status, 200);
  const html = await res.text();
  const csp = res.headers.get("content-security-policy")!;
  const nonce = csp.match(/'nonce-([^']+)'/)![1];
  assert.match(csp, /'strict-dynamic'/);
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(scripts.length, 2);
  for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${tag} carries the CSP nonce`);

  assert.match(html, /<!--frsh:island:Counter:0-->/);
  assert.match(html, /<!--frsh:island:CountView:1-->/);
  assert.equal(html.match(/<!--\/frsh:island-->/g)?.length, 2);

  // The hostile label is escaped in the markup and in the JSON payload: one closing tag per script only.
  const state = html.match(/<script id="__FRSH_STATE"[^>]*>([\s\S]*?)<\/script>/)![1];
  assert.doesNotMatch(state, /<\/script|<!--/i);
  assert.match(state, /\\u003c\/script\\u003e/);
  assert.match(html, /&lt;\/script>&lt;script>alert\(1\)&lt;\/script>/);

  const link = res.headers.get("link")!;
  assert.match(link, /rel=modulepreload/);
  assert.ok(link.includes(html.match(/import\{boot\}from"([^"]+)"/)![1]));
});
