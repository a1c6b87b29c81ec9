/**
 * The benchmarks' SSE subscriber (bench/sse.ts, bench/engine_sse_worker.ts): one raw TCP connection per
 * stream, as a browser's EventSource holds, read by hand rather than through `fetch` — a fetch body per
 * stream costs the client more memory and latency than the server being measured, at 10,000 streams.
 */
import { preciseNow } from "../tests/helpers/child_server.ts";

/** Where to subscribe, and as whom. */
export interface SseTarget {
  port: number;
  /** e.g. `/api/accounts/<id>/stream`. */
  path: string;
  /** Bearer token of a user allowed to read the stream. */
  token: string;
  /** Sent as X-Forwarded-For (the app runs with TRUST_PROXY): one address per client, as real browsers. */
  ip: string;
  userAgent?: string;
}

/** What the reader reports while the stream is open. */
export interface SseListener {
  /** An `event: change` frame with state version `version` arrived at `at` (`preciseNow()` of the read). */
  onChange(version: number, at: number): void;
  /** The server ended the stream after its snapshot (not called when we close it). */
  onDrop?(): void;
}

/** An open stream; reading goes on in the background until it is closed. */
export interface SseStream {
  /** Closes the socket (again is fine). */
  close(): void;
}

// An account stream's id is the version; a user stream's is `<notification seq>.<account key>-<version>`
// per account (services/live/user_stream_id.ts): with one account, the version is its last number.
const CHANGE = /id: (?:\d+\.[0-9a-f]{8}-)?(\d+)\nevent: change/g;
// Frames are small: 16 KiB is many per read, and 10,000 streams' buffers stay within 160 MB of the client.
const BUFFER_BYTES = 16 * 1024;

/**
 * Opens one event stream on 127.0.0.1 and resolves once its snapshot frame has arrived; rejects (and closes
 * the socket) on a status other than 200 or when the stream ends before the snapshot.
 *
 * @example
 * ```ts
 * const arrivals = new Map<number, number>();
 * const stream = await openSseStream(
 *   { port, path: `/api/accounts/${id}/stream`, token, ip: "10.0.0.1" },
 *   { onChange: (version, at) => arrivals.set(version, at) },
 * );
 * stream.close();
 * ```
 */
export async function openSseStream(target: SseTarget, listener: SseListener): Promise<SseStream> {
  const { port, path, token, ip, userAgent } = target;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let closed = false;
  const close = () => {
    closed = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  try {
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
        `X-Forwarded-For: ${ip}\r\nAccept: text/event-stream\r\n` +
        (userAgent ? `User-Agent: ${userAgent}\r\n` : "") + "\r\n",
    ));
  } catch (error) {
    close();
    throw error;
  }
  const { promise: snapshot, resolve: ready, reject: failed } = Promise.withResolvers<void>();
  (async () => {
    const decoder = new TextDecoder();
    const buf = new Uint8Array(BUFFER_BYTES);
    let head = "";
    let tail = "";
    let live = false;
    while (true) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        n = null; // closed by us, or reset by the server
      }
      if (n === null) break;
      // Stamped before parsing: what is measured is when the bytes were there, not our string work.
      const at = preciseNow();
      const chunk = decoder.decode(buf.subarray(0, n), { stream: true });
      if (!live) {
        head += chunk;
        if (head.length >= 12 && !head.startsWith("HTTP/1.1 200")) {
          failed(new Error(head.slice(0, 300)));
          close();
          return;
        }
        if (head.includes("event: snapshot")) {
          live = true;
          head = "";
          ready();
        }
      }
      const text = tail + chunk;
      let end = 0;
      for (const m of text.matchAll(CHANGE)) {
        listener.onChange(Number(m[1]), at);
        end = m.index + m[0].length;
      }
      // Keep what could begin a frame header split across reads (at most ~30 characters), but nothing
      // already matched, so no frame is counted twice.
      tail = text.slice(Math.max(end, text.length - 64));
    }
    if (live) {
      if (!closed) listener.onDrop?.();
    } else {
      failed(new Error("the stream closed before its snapshot"));
      close();
    }
  })();
  await snapshot;
  return { close };
}
