/// <reference lib="deno.worker" />
/**
 * The SSE subscribers of the engine benchmark, in a worker of their own: the load generator's event loop
 * (JSON, HMAC, fetch) must not delay the moment a frame is seen. Each stream is one raw TCP connection
 * (bench/sse_client.ts); every `event: change` frame's id (the state version) is stamped with
 * `preciseNow()`, which is comparable with the same clock in the main thread.
 *
 * Messages in: `{type:"open", port, streams:[{path, token, ip}], parallel}` → `{type:"opened", ok, errors}`;
 * `{type:"collect"}` → `{type:"arrivals", data, dropped}` (flat [stream index, version, time] triples, then
 * cleared; `dropped`: streams the server ended so far);
 * `{type:"close"}` → `{type:"closed"}`.
 */

import { openSseStream, type SseStream } from "./sse_client.ts";

const streams: SseStream[] = [];
let arrivals: number[] = [];
/** Streams that ended after their snapshot (the server dropped them). */
let dropped = 0;

self.onmessage = async (e: MessageEvent) => {
  const msg = e.data;
  if (msg.type === "open") {
    const specs = msg.streams as { path: string; token: string; ip: string }[];
    const errors: string[] = [];
    let ok = 0;
    let next = 0;
    await Promise.all(Array.from({ length: msg.parallel ?? 50 }, async () => {
      while (next < specs.length) {
        const i = next++;
        try {
          streams.push(
            await openSseStream({ port: msg.port, ...specs[i], userAgent: "bench-engine" }, {
              onChange: (version, at) => arrivals.push(i, version, at),
              onDrop: () => dropped++,
            }),
          );
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
    for (const stream of streams.splice(0)) stream.close();
    self.postMessage({ type: "closed" });
  }
};
