/**
 * bench:venue's feed and price-stream probe (bench/venue.ts): the process plays the feed leader, and a signed-in
 * subscriber of `GET /api/venue/stream` records how long after its newest tick each frame arrived.
 */
import type { openTestApp } from "../tests/helpers/app.ts";
import type { Tick } from "../services/venue/price_book.ts";

/** Plays the feed leader: one tick per symbol every 100 ms. */
export function startFeed(makeBatch: () => Tick[], apply: (ticks: Tick[]) => void) {
  let sent = 0;
  let stopped = false;
  const done = (async () => {
    let next = performance.now();
    while (!stopped) {
      next += 100;
      const batch = makeBatch();
      sent += batch.length;
      apply(batch);
      const wait = next - performance.now();
      await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** A subscriber of the price stream, recording for each frame how long after its newest tick it arrived. */
export async function openProbe(app: Awaited<ReturnType<typeof openTestApp>>["app"], token: string) {
  const res = await app.request("/api/venue/stream?symbols=EURUSD", {
    headers: { authorization: `Bearer ${token}`, "x-forwarded-for": "fd00::1" },
  });
  if (res.status !== 200) throw new Error(`stream: ${res.status} ${await res.text()}`);
  const latencies: number[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let closed = false;
  (async () => {
    while (!closed) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split("\n").find((l) => l.startsWith("data: "));
        if (!data) continue;
        const ticks = JSON.parse(data.slice(6)) as Tick[];
        const newest = Math.max(...ticks.map((t) => t.at));
        latencies.push(Date.now() - newest);
      }
    }
  })().catch(() => {});
  return {
    latencies,
    close() {
      closed = true;
      reader.cancel().catch(() => {});
    },
  };
}
