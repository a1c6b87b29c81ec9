/**
 * A page answered from the cache by the app's observer (before routing, synchronously) says and counts what a
 * routed answer would: the same security headers as the render that stored it, a request id and W3C trace
 * context of its own, a 304 for a matching ETag, the `(cached)` HTTP metrics; visitors with a session or a
 * bearer token never get the shared copy.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { listen } from "../lib/http_listener.ts";

/** The `(cached)` GET count in a metrics scrape. */
function cachedCount(text: string): number {
  const m = /^proptrade_http_request_duration_seconds_count\{method="GET",route="\(cached\)"\} (\d+)/m.exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}

Deno.test("cached hit: same headers as the stored render, its own trace context, a 304, and counted", async () => {
  const { app, close } = await openTestApp();
  const server = await listen({ port: 0, hostname: "127.0.0.1" }, (req, info) => app.fetch(req, info));
  const url = `http://127.0.0.1:${server.port}/challenges?observed=1`;
  try {
    const miss = await fetch(url);
    await miss.body?.cancel();
    assert.equal(miss.headers.get("x-page-cache"), "miss");
    const before = cachedCount(await (await app.request("/metrics")).text());

    const hit = await fetch(url, {
      headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    await hit.body?.cancel();
    assert.equal(hit.status, 200);
    assert.equal(hit.headers.get("x-page-cache"), "hit");
    for (
      const name of [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "permissions-policy",
        "cache-control",
        "content-type",
        "etag",
      ]
    ) {
      assert.equal(hit.headers.get(name), miss.headers.get(name), name);
    }
    assert.match(hit.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
    assert.equal(hit.headers.get("x-request-id"), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.match(hit.headers.get("traceparent")!, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);

    const other = await fetch(url);
    await other.body?.cancel();
    assert.match(other.headers.get("x-request-id")!, /^[0-9a-f]{32}$/);
    assert.notEqual(other.headers.get("x-request-id"), hit.headers.get("x-request-id"));

    const revalidated = await fetch(url, { headers: { "if-none-match": hit.headers.get("etag")! } });
    assert.equal(revalidated.status, 304);
    assert.match(revalidated.headers.get("x-request-id")!, /^[0-9a-f]{32}$/);
    await revalidated.body?.cancel();

    assert.equal(cachedCount(await (await app.request("/metrics")).text()), before + 3);

    for (
      const headers of [{ cookie: "pt_access=x" }, { authorization: "Bearer x" }] as Record<string, string>[]
    ) {
      const personal = await fetch(url, { headers });
      await personal.body?.cancel();
      assert.notEqual(personal.headers.get("x-page-cache"), "hit", JSON.stringify(headers));
    }
  } finally {
    await server.shutdown(1000);
    await close();
  }
});
