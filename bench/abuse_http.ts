/**
 * The attacker's and the observer's tools of the abuse benchmark (bench/abuse.ts), over raw TCP so that
 * nothing between us and the server buffers, retries or fixes up a request: a body flood that stops as soon
 * as the server answers, connections that never finish their headers, a `/healthz` poller and the server's
 * resident memory.
 */
import { percentile } from "./stats.ts";

const encoder = new TextEncoder();
const CHUNK = 64 * 1024;

/** One flooding request's outcome: the status the server answered (0: none), how much we got to send. */
export interface FloodResult {
  status: number;
  sentBytes: number;
  ms: number;
}

/**
 * POSTs `total` bytes of JSON whitespace to `path`, announced by `Content-Length` or sent chunked, as fast as
 * the socket takes them; stops sending as soon as the status line of an answer arrives (or the server
 * closes), and gives up after `timeoutMs`.
 */
export async function flood(
  port: number,
  path: string,
  opts: { chunked: boolean; total: number; headers: Record<string, string>; timeoutMs: number },
): Promise<FloodResult> {
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = [
    `POST ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    "Connection: close",
    opts.chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${opts.total}`,
    ...Object.entries(opts.headers).map(([k, v]) => `${k}: ${v}`),
  ].join("\r\n") + "\r\n\r\n";
  let status = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const timer = setTimeout(close, opts.timeoutMs);
  // Read the status line; once it is there, closing the socket also ends a write the server stopped reading.
  const answer = statusLine(conn).then((s) => {
    status = s;
    close();
  });
  const body = new Uint8Array(CHUNK).fill(0x20);
  const frame = opts.chunked
    ? concat(encoder.encode(`${CHUNK.toString(16)}\r\n`), body, encoder.encode("\r\n"))
    : body;
  let sentBytes = 0;
  try {
    await writeAll(conn, encoder.encode(head));
    while (sentBytes < opts.total && !closed) {
      await writeAll(conn, frame);
      sentBytes += CHUNK;
    }
    if (opts.chunked && !closed) await writeAll(conn, encoder.encode("0\r\n\r\n"));
  } catch { /* the server closed the connection, or we did on its answer */ }
  await answer;
  clearTimeout(timer);
  close();
  return { status, sentBytes: Math.min(sentBytes, opts.total), ms: performance.now() - started };
}

/**
 * Opens `n` connections that each send `prefix` (e.g. half a request head, or one whole request) and then
 * nothing; after `waitMs` reports how many the server had closed and when.
 */
export async function stalledConnections(
  port: number,
  n: number,
  prefix: string,
  waitMs: number,
): Promise<{ closed: number; closedAfterMs: number[] }> {
  const closedAfterMs: number[] = [];
  await Promise.all(Array.from({ length: n }, async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const started = performance.now();
    await writeAll(conn, encoder.encode(prefix));
    const timer = setTimeout(() => conn.close(), waitMs);
    const buf = new Uint8Array(4096);
    try {
      while ((await conn.read(buf)) !== null) { /* an answer to a whole request: keep waiting */ }
      closedAfterMs.push(performance.now() - started);
      clearTimeout(timer);
      conn.close();
    } catch { /* our own timeout closed it: the server kept it open */ }
  }));
  return { closed: closedAfterMs.length, closedAfterMs };
}

/** `/healthz` latencies, one request every `everyMs` on one keep-alive connection, until `stop()`. */
export function pollHealth(port: number, everyMs = 20): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        await res.body?.cancel();
        samples.push(performance.now() - t0);
      } catch {
        samples.push(performance.now() - t0); // a failed probe still waited that long
      }
      const rest = everyMs - (performance.now() - t0);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples.sort((a, b) => a - b);
    },
  };
}

/** p50/p99/max of ascending samples, in ms. */
export function latencySummary(sorted: number[]): { n: number; p50: number; p99: number; max: number } {
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** Resident memory of process `pid` in bytes (Linux `/proc`); NaN elsewhere. */
export function rssOf(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples `rssOf(pid)` every `everyMs` until `stop()`, which returns the peak. */
export function watchRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

async function statusLine(conn: Deno.Conn): Promise<number> {
  const buf = new Uint8Array(1024);
  let text = "";
  try {
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch { /* closed */ }
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
