/**
 * Slow and idle clients against the node:http listener (lib/http_listener.ts, HTTP_SERVER=node), over real
 * sockets with small bounds so the tests stay fast (issue 9). Deno.serve, the default, fails the first four:
 * it has no such bounds in Deno 2.9.
 */
import assert from "node:assert/strict";
import { type ConnectionBounds, listen, type Listener, type ServeHandler } from "../lib/http_listener.ts";
import { loadConfig } from "../services/config.ts";

const BOUNDS: Partial<ConnectionBounds> = {
  headersMs: 400,
  requestMs: 600,
  keepAliveMs: 300,
  checkIntervalMs: 100,
};
const encoder = new TextEncoder();

async function withListener(handler: ServeHandler, fn: (server: Listener) => Promise<void>) {
  const server = await listen(
    {
      port: 0,
      hostname: "127.0.0.1",
      server: loadConfig({ HTTP_SERVER: "node" }).httpServer,
      bounds: BOUNDS,
    },
    handler,
  );
  try {
    await fn(server);
  } finally {
    await server.shutdown(200);
  }
}

/**
 * Sends `data` on a new connection and reads until the server closes it or `giveUpMs` passes. Returns
 * when it closed (ms after sending; null when still open) and what was received.
 */
async function send(port: number, data: string, giveUpMs: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(data));
  const started = Date.now();
  const timer = setTimeout(() => conn.close(), giveUpMs);
  const buf = new Uint8Array(16 * 1024);
  let received = "";
  let closedAfterMs: number | null = null;
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) {
        closedAfterMs = Date.now() - started;
        break;
      }
      received += new TextDecoder().decode(buf.subarray(0, n));
    }
  } catch {
    // Closed by the give-up timer: the server held the connection.
  }
  clearTimeout(timer);
  if (closedAfterMs !== null) conn.close();
  return { closedAfterMs, received };
}

const hello: ServeHandler = () => new Response("hello");

Deno.test("a client that never finishes its headers cannot hold a connection open", async () => {
  await withListener(hello, async ({ port }) => {
    const { closedAfterMs } = await send(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaa", 3000);
    assert.notEqual(closedAfterMs, null, "the connection was still open after 3 s");
    assert.ok(closedAfterMs! < 1500, `closed after ${closedAfterMs} ms (bound 400 ms)`);
  });
});

Deno.test("an idle keep-alive connection is closed after its bound", async () => {
  await withListener(hello, async ({ port }) => {
    const { closedAfterMs, received } = await send(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 4000);
    assert.match(received, /^HTTP\/1.1 200/);
    assert.notEqual(closedAfterMs, null, "the idle connection was still open after 4 s");
    // Node adds a second of grace to keepAliveTimeout (for clients racing a reuse against the close).
    assert.ok(closedAfterMs! < 2500, `closed after ${closedAfterMs} ms (bound 300 ms)`);
  });
});

Deno.test("a body that stops arriving is cut off with 408", async () => {
  const handler: ServeHandler = (req) =>
    req.arrayBuffer().then(() => new Response("read"), () => new Response("cut short", { status: 400 }));
  await withListener(handler, async ({ port }) => {
    const { closedAfterMs, received } = await send(
      port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part",
      3000,
    );
    assert.notEqual(closedAfterMs, null, "the connection was still open after 3 s");
    assert.match(received, /^HTTP\/1.1 408/);
  });
});

Deno.test("an event stream is not cut off by the request bound, and a client leaving aborts it", async () => {
  let aborted!: () => void;
  const left = new Promise<void>((resolve) => aborted = resolve);
  let remote = "";
  const handler: ServeHandler = (req, info) => {
    remote = info.remoteAddr.hostname;
    req.signal.addEventListener("abort", () => aborted());
    let timer: ReturnType<typeof setInterval>;
    const body = new ReadableStream<Uint8Array>({
      start(out) {
        timer = setInterval(() => out.enqueue(encoder.encode("data: tick\n\n")), 100);
      },
      cancel: () => clearInterval(timer),
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  };
  await withListener(handler, async ({ port }) => {
    // Three times the request bound: only receiving the request is bounded, not sending the answer.
    const { closedAfterMs, received } = await send(port, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", 1800);
    assert.equal(closedAfterMs, null, "the server closed a live event stream");
    assert.match(received, /^HTTP\/1.1 200/);
    assert.ok(received.split("data: tick").length > 12, "frames arrived as they were produced");
    assert.equal(remote, "127.0.0.1");
    await left;
  });
});

Deno.test("a refused upload does not keep the connection reading the rest of it", async () => {
  const handler: ServeHandler = async (req) => {
    await req.body!.getReader().cancel();
    return new Response("too large", { status: 413 });
  };
  await withListener(handler, async ({ port }) => {
    const head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n";
    const { closedAfterMs, received } = await send(port, head + "x".repeat(64 * 1024), 3000);
    assert.match(received, /^HTTP\/1.1 413/);
    assert.notEqual(closedAfterMs, null, "the server kept the connection to drain 50 MB");
  });
});
