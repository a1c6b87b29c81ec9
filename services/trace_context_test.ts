import assert from "node:assert/strict";
import { traceContextFor, traceparentOf } from "./trace_context.ts";

Deno.test("trace context: a valid traceparent's trace id and flags are kept, with a new span of ours", () => {
  const t = traceContextFor("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  assert.equal(t.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(t.parentSpanId, "00f067aa0ba902b7");
  assert.equal(t.flags, "01");
  assert.match(t.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(t.spanId, "00f067aa0ba902b7");
  assert.equal(traceparentOf(t), `00-4bf92f3577b34da6a3ce929d0e0e4736-${t.spanId}-01`);
  // A later version may append fields; version 00 may not.
  assert.equal(
    traceContextFor("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra").traceId,
    "4bf92f3577b34da6a3ce929d0e0e4736",
  );
});

Deno.test("trace context: a malformed traceparent starts a new trace", () => {
  for (
    const bad of [
      null,
      "",
      "junk",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent id
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", // version 00 with extra fields
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // short trace id
      "00-<script>-x-01",
    ]
  ) {
    const t = traceContextFor(bad);
    assert.match(t.traceId, /^[0-9a-f]{32}$/, String(bad));
    assert.notEqual(t.traceId, "4bf92f3577b34da6a3ce929d0e0e4736", String(bad));
    assert.equal(t.parentSpanId, null, String(bad));
    assert.equal(t.flags, "00");
  }
  assert.notEqual(traceContextFor(null).traceId, traceContextFor(null).traceId);
});

Deno.test("trace context: fresh ids stay unique and well formed across many requests", () => {
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const t = traceContextFor(null);
    assert.match(t.traceId, /^[0-9a-f]{32}$/);
    assert.match(t.spanId, /^[0-9a-f]{16}$/);
    ids.add(t.traceId).add(t.spanId);
  }
  assert.equal(ids.size, 4000);
});
