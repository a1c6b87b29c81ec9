/// <reference lib="deno.worker" />
/**
 * The SSE subscribers of the engine benchmark, in a worker of their own: the load generator's event loop
 * (JSON, HMAC, fetch) must not delay the moment a frame is seen. Each stream is one raw TCP connection, as a
 * browser's EventSource would hold; every `event: change` frame's id (the state version) is stamped with
 * `performance.timeOrigin + performance.now()`, which is comparable with the same clock in the main thread.
 *
 * Messages in: `{type:"open", port, streams:[{path, token, ip}], parallel}` → `{type:"opened", ok, errors}`;
 * `{type:"collect"}` → `{type:"arrivals", data, dropped}` (flat [stream index, version, time] triples, then
 * cleared; `dropped`: streams the server ended so far);
 * `{type:"close"}` → `{type:"closed"}`.
 */

interface StreamSpec {
  path: string;
  token: string;
  ip: string;
}

const preciseNow = () => performance.timeOrigin + performance.now();
const CHANGE = /id: (\d+)\nevent: change/g;
const conns: Deno.TcpConn[] = [];
let arrivals: number[] = [];
/** Streams that ended after their snapshot (the server dropped them). */
let dropped = 0;

async function openStream(port: number, index: number, spec: StreamSpec): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conns.push(conn);
  await conn.write(new TextEncoder().encode(
    `GET ${spec.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${spec.token}\r\n` +
      `X-Forwarded-For: ${spec.ip}\r\nAccept: text/event-stream\r\nUser-Agent: bench-engine\r\n\r\n`,
  ));
  let ready!: () => void;
  let failed!: (error: Error) => void;
  const snapshot = new Promise<void>((resolve, reject) => [ready, failed] = [resolve, reject]);
  (async () => {
    const decoder = new TextDecoder();
    const buf = new Uint8Array(64 * 1024);
    let tail = "";
    let head = "";
    let live = false;
    while (true) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        n = null;
      }
      if (n === null) break;
      const at = preciseNow();
      const text = tail + decoder.decode(buf.subarray(0, n), { stream: true });
      if (!live) {
        head += text;
        if (!head.startsWith("HTTP/1.1 200") && head.length >= 12) {
          failed(new Error(head.slice(0, 300)));
          break;
        }
        if (head.includes("event: snapshot")) {
          live = true;
          ready();
        }
      }
      let end = 0;
      for (const m of text.matchAll(CHANGE)) {
        arrivals.push(index, Number(m[1]), at);
        end = m.index + m[0].length;
      }
      // An unmatched frame header split across reads is at most ~30 characters long.
      tail = text.slice(Math.max(end, text.length - 64));
    }
    if (live) dropped++;
    failed(new Error("the stream closed"));
  })();
  await snapshot;
}

self.onmessage = async (e: MessageEvent) => {
  const msg = e.data;
  if (msg.type === "open") {
    const streams = msg.streams as StreamSpec[];
    const errors: string[] = [];
    let ok = 0;
    let next = 0;
    await Promise.all(Array.from({ length: msg.parallel ?? 50 }, async () => {
      while (next < streams.length) {
        const i = next++;
        try {
          await openStream(msg.port, i, streams[i]);
          ok++;
        } catch (error) {
          errors.push(String(error).slice(0, 300));
        }
      }
    }));
    self.postMessage({ type: "opened", ok, errors });
  } else if (msg.type === "collect") {
    const data = arrivals;
    arrivals = [];
    self.postMessage({ type: "arrivals", data, dropped });
  } else if (msg.type === "close") {
    for (const conn of conns.splice(0)) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    self.postMessage({ type: "closed" });
  }
};
