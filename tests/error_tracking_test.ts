/**
 * Error tracking against a local stand-in for Sentry's ingest endpoint: with a DSN, a reported error is sent
 * as an envelope, masked like a log line; without one, nothing is loaded or sent.
 */
import assert from "node:assert/strict";
import { flushErrorTracking, reportError, startErrorTracking } from "../services/error_tracking.ts";

Deno.test({
  name: "error tracking: with SENTRY_DSN an error reaches the DSN's project, with emails masked",
  // The SDK keeps process-wide handlers and timers once started, as it would in production.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const received: { path: string; body: string }[] = [];
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
      received.push({ path: new URL(req.url).pathname, body: await req.text() });
      return Response.json({ id: crypto.randomUUID().replaceAll("-", "") });
    });
    try {
      assert.equal(await startErrorTracking({ dsn: undefined, environment: "test" }), false);
      // Built at run time: the SDK sends source lines around the call as context, which must not match.
      const unsent = `unsent-${crypto.randomUUID()}`;
      const who = ["jane", "doe"].join(".");
      reportError(new Error(unsent));
      const dsn = `http://publickey@127.0.0.1:${server.addr.port}/42`;
      assert.equal(await startErrorTracking({ dsn, environment: "test" }), true);
      reportError(new Error(`charge failed for ${who}@example.com`), { requestId: "4bf92f35", path: "/x" });
      await flushErrorTracking(5000);
      const envelopes = received.filter((r) => r.path === "/api/42/envelope/");
      assert.equal(envelopes.length, 1, JSON.stringify(received.map((r) => r.path)));
      const body = envelopes[0].body;
      assert.match(body, /charge failed for j\*\*\*@example\.com/);
      const at = body.indexOf(who);
      assert.ok(
        at === -1,
        `the email is masked before it leaves: ${body.slice(Math.max(0, at - 300), at + 100)}`,
      );
      assert.ok(!body.includes(unsent), "nothing was sent before a DSN was set");
      assert.match(body, /"requestId":"4bf92f35"/);
    } finally {
      await server.shutdown();
    }
  },
});
