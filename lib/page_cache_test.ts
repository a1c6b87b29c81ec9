import assert from "node:assert/strict";
import { type ExtraHeader, PageCache } from "./page_cache.ts";

/** How the app answers: look the page up, then answer `req` with it. */
function match(cache: PageCache, key: string, req: Request, extra?: readonly ExtraHeader[]) {
  const stored = cache.lookup(key);
  return stored && cache.respond(stored, req, extra);
}

const page = () => new Response("<p>hi</p>", { headers: { "content-type": "text/html; charset=utf-8" } });

Deno.test("page cache: a copy with maxAgeSeconds is answered until it expires, then dropped", async () => {
  const cache = new PageCache();
  await cache.store("/fresh", ["site"], page(), 60);
  await cache.store("/stale", ["site"], page(), 0);
  await cache.store("/tagged", ["site"], page());
  const req = new Request("http://x/");
  assert.equal(match(cache, "/fresh", req)?.response.status, 200);
  assert.equal(match(cache, "/tagged", req)?.response.status, 200);
  assert.equal(match(cache, "/stale", req), null);
  assert.equal(cache.size, 2, "the expired copy is gone");
  assert.equal(cache.invalidate("site"), 2);
});

Deno.test("page cache: extra headers are in the answer, set over stored ones, and never reach another answer", async () => {
  const cache = new PageCache();
  await cache.store("/p", ["site"], page());
  const stored = [...match(cache, "/p", new Request("http://x/p"))!.response.headers];
  const a = match(cache, "/p", new Request("http://x/p"), [["x-request-id", "a1"], ["vary", "x"]])!.response;
  assert.equal(a.headers.get("x-request-id"), "a1");
  assert.equal(a.headers.get("vary"), "x");
  const b = match(cache, "/p", new Request("http://x/p"), [["x-request-id", "b2"], ["vary", "y"]])!.response;
  assert.equal(b.headers.get("x-request-id"), "b2");
  const c = match(cache, "/p", new Request("http://x/p"), [["traceparent", "t3"]])!.response;
  assert.equal(c.headers.get("x-request-id"), null, "a header of an earlier answer does not leak");
  assert.equal(c.headers.get("vary"), "accept-encoding");
  const plain = match(cache, "/p", new Request("http://x/p"))!.response;
  assert.deepEqual([...plain.headers], stored, "an answer without extras has exactly the stored headers");
  for (const res of [a, b, c, plain]) await res.body?.cancel();
});

Deno.test("page cache: If-None-Match answers 304 with the extras, HEAD has no body, gzip when accepted", async () => {
  const cache = new PageCache();
  await cache.store("/p", ["site"], page());
  const etag = match(cache, "/p", new Request("http://x/p"))!.response.headers.get("etag")!;
  const notModified = match(cache, "/p", new Request("http://x/p", { headers: { "if-none-match": etag } }), [
    ["x-request-id", "r"],
  ])!;
  assert.equal(notModified.response.status, 304);
  assert.equal(notModified.bytes, 0);
  assert.equal(notModified.response.headers.get("x-request-id"), "r");
  const head = match(cache, "/p", new Request("http://x/p", { method: "HEAD" }))!;
  assert.equal(head.response.body, null);
  assert.equal(head.bytes, 0);
  const gz = match(cache, "/p", new Request("http://x/p", { headers: { "accept-encoding": "gzip, br" } }))!;
  assert.equal(gz.response.headers.get("content-encoding"), "gzip");
  assert.equal(gz.bytes, (await gz.response.arrayBuffer()).byteLength);
});

Deno.test("page cache: past its bound the least recently answered page goes first", async () => {
  const cache = new PageCache(2);
  await cache.store("/a", [], page());
  await cache.store("/b", [], page());
  assert.ok(cache.lookup("/a"), "/a answered: now more recent than /b");
  await cache.store("/c", [], page());
  assert.equal(cache.size, 2);
  assert.equal(cache.lookup("/b"), null);
  assert.ok(cache.lookup("/a") && cache.lookup("/c"));
});
