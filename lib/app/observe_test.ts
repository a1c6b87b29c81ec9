import assert from "node:assert/strict";
import type { Hono } from "hono";
import { observedFetch, RouteMarks, STATIC_ROUTE } from "./observe.ts";
import { PageCache } from "../page_cache.ts";

Deno.test("observe: the observer learns the route once, and the request no longer holds its state", async () => {
  const marks = new RouteMarks<{ user: string }>();
  const state = { user: "u1" };
  // What the pipeline does: mark the request with its route and middleware state, answer an event stream.
  const fetch = ((req: Request) => {
    marks.mark(req, "/api/accounts/:id/stream", state);
    return new Response(new ReadableStream(), { headers: { "content-type": "text/event-stream" } });
  }) as Hono["fetch"];
  const req = new Request("http://x/api/accounts/1/stream");
  const seen: unknown[] = [];
  const observed = observedFetch(
    fetch,
    {
      async request(_req, handle, matched) {
        const res = await handle();
        seen.push(matched(), matched());
        return res;
      },
      cachedHit: () => {
        throw new Error("nothing is cached");
      },
    },
    marks,
    { pageCache: new PageCache(), lookup: () => null },
  );
  const res = await observed(req);
  assert.equal(res.status, 200);
  // Asking again (a late access-log line) gives the same answer.
  assert.deepEqual(seen, [{ route: "/api/accounts/:id/stream", state }, {
    route: "/api/accounts/:id/stream",
    state,
  }]);
  // The request lives as long as its stream; its mark (and with it `state`) must not.
  assert.deepEqual(marks.take(req), { route: STATIC_ROUTE, state: null });
  await res.body?.cancel();
});
