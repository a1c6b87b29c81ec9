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

/** An id of zeros only (invalid as a trace or span id). */
const ALL_ZERO = /^0+$/;

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
      !ALL_ZERO.test(traceId) && !ALL_ZERO.test(parentId);
    if (valid) return { traceId, spanId, parentSpanId: parentId, flags };
  }
  return { traceId: randomHex(16), spanId, parentSpanId: null, flags: "00" };
}

/** The `traceparent` value naming our span in this trace (for the response, or an outgoing call). */
export function traceparentOf(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/**
 * Random hex from a pool refilled 4 KB at a time: one `getRandomValues` and one hex encoding per ~170
 * requests instead of two of each per request (this runs for every request, cached pages included). The ids
 * only have to be unique, not secret; they come from the same CSPRNG either way.
 */
const POOL_BYTES = 4096;
let pool = "";
let poolAt = 0;

function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (poolAt + chars > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES)).toHex();
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt += chars);
  // All zero is invalid for either id; 2^-64 at worst, but cheap to rule out.
  return ALL_ZERO.test(out) ? randomHex(bytes) : out;
}
