import assert from "node:assert/strict";
import { PageCache } from "./page_cache.ts";

const page = () => new Response("<p>hi</p>", { headers: { "content-type": "text/html; charset=utf-8" } });

Deno.test("page cache: a copy with maxAgeSeconds is answered until it expires, then dropped", async () => {
  const cache = new PageCache();
  await cache.store("/fresh", ["site"], page(), 60);
  await cache.store("/stale", ["site"], page(), 0);
  await cache.store("/tagged", ["site"], page());
  const req = new Request("http://x/");
  assert.equal(cache.match("/fresh", req)?.response.status, 200);
  assert.equal(cache.match("/tagged", req)?.response.status, 200);
  assert.equal(cache.match("/stale", req), null);
  assert.equal(cache.size, 2, "the expired copy is gone");
  assert.equal(cache.invalidate("site"), 2);
});
