/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) for one request: an incoming `traceparent` is
 * honoured — its trace id becomes our request id, so our log lines join the caller's trace — and a malformed
 * one is ignored (a fresh trace starts). The response carries `traceparent` naming our own span, so a caller
 * (or nginx's log) can find our lines, and `x-request-id` with the trace id.
 */

export interface TraceContext {
  /** 32 lowercase hex digits, never all zero; also the request id in logs and `x-request-id`. */
  traceId: string;
  /** Our span: 16 hex digits, fresh per request. */
  spanId: string;
  /** The caller's span, when a valid `traceparent` came in. */
  parentSpanId: string | null;
  /** Trace flags, 2 hex digits (the caller's, else `00`: we record no spans ourselves). */
  flags: string;
}

/**
 * `version-traceid-parentid-flags`. Version `ff` is invalid; a future version may append fields after a dash,
 * version `00` may not (§3.2.2.1 and §4.3).
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The trace context of a request with this `traceparent` header (or none). */
export function traceContextFor(traceparent: string | null | undefined): TraceContext {
  const spanId = randomHex(8);
  const m = TRACEPARENT.exec(traceparent?.trim().toLowerCase() ?? "");
  if (m) {
    const [, version, traceId, parentId, flags, rest] = m;
    const valid = version !== "ff" && !(version === "00" && rest !== undefined) &&
      !/^0+$/.test(traceId) && !/^0+$/.test(parentId);
    if (valid) return { traceId, spanId, parentSpanId: parentId, flags };
  }
  return { traceId: randomHex(16), spanId, parentSpanId: null, flags: "00" };
}

/** The `traceparent` value naming our span in this trace (for the response, or an outgoing call). */
export function traceparentOf(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

function randomHex(bytes: number): string {
  // Built-in hex encoding: this runs twice for every request, cached pages included.
  const out = crypto.getRandomValues(new Uint8Array(bytes)).toHex();
  // All zero is invalid for either id; 2^-64 at worst, but cheap to rule out.
  return /^0+$/.test(out) ? randomHex(bytes) : out;
}
