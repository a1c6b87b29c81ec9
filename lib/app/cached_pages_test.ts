import assert from "node:assert/strict";
import { PageCache } from "../page_cache.ts";
import type { Context } from "../define.ts";
import { pageCacheStore } from "./cached_pages.ts";

interface S {
  user: string | null;
}

function setup() {
  const pageCache = new PageCache();
  const cache = pageCacheStore<S>({
    pageCache,
    isPersonal: (req) => req.headers.has("x-personal"),
    isPersonalState: (state) => state.user !== null,
    security: { hsts: false },
  });
  const ctx = (user: string | null, init?: RequestInit) =>
    ({ req: new Request("http://x/page", init), state: { user } }) as unknown as Context<S>;
  const page = (headers: Record<string, string> = {}) =>
    new Response("<p>page</p>", { headers: { "content-type": "text/html", ...headers } });
  return { pageCache, cache, ctx, page };
}

const TAGS = { tags: ["t"] };

Deno.test("page cache store: a page is stored only for a shared request with a response for everyone", async (t) => {
  await t.step("shared request, plain page: stored and rendered in hash mode", async () => {
    const { pageCache, cache, ctx, page } = setup();
    const c = ctx(null);
    assert.equal(cache.begin(c), true);
    assert.equal(cache.rendersShared(c), true);
    const res = await cache.storeIfShared(c, TAGS, page());
    assert.equal(res.headers.get("x-page-cache"), "miss");
    assert.equal(pageCache.size, 1);
  });

  await t.step("personal by headers, by state, or a POST: not even rendered for the cache", () => {
    const { cache, ctx } = setup();
    for (
      const c of [ctx(null, { headers: { "x-personal": "1" } }), ctx("u1"), ctx(null, { method: "POST" })]
    ) {
      assert.equal(cache.begin(c), false);
      assert.equal(cache.rendersShared(c), false);
    }
  });

  await t.step("state that names a visitor after the handler ran: not stored", async () => {
    const { pageCache, cache, ctx, page } = setup();
    const c = ctx(null);
    cache.begin(c);
    c.state.user = "u1";
    const res = await cache.storeIfShared(c, TAGS, page());
    assert.equal(res.headers.get("x-page-cache"), null);
    assert.equal(pageCache.size, 0);
  });

  await t.step(
    "a response for one visitor is not stored: cookie, private, no-store, nonce, not 200",
    async () => {
      const { pageCache, cache, ctx, page } = setup();
      const responses = [
        page({ "set-cookie": "a=1" }),
        page({ "cache-control": "private" }),
        page({ "cache-control": "no-store" }),
        page({ "content-security-policy": "script-src 'nonce-abc' 'strict-dynamic'" }),
        new Response("gone", { status: 404 }),
      ];
      for (const res of responses) {
        const c = ctx(null);
        cache.begin(c);
        assert.equal(await cache.storeIfShared(c, TAGS, res), res);
      }
      assert.equal(pageCache.size, 0);
    },
  );

  await t.step("a request that never began is not stored", async () => {
    const { pageCache, cache, ctx, page } = setup();
    await cache.storeIfShared(ctx(null), TAGS, page());
    assert.equal(pageCache.size, 0);
  });
});
