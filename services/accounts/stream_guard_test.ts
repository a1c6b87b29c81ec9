import assert from "node:assert/strict";
import { StreamGuard } from "./stream_guard.ts";
import type { StreamOwner } from "./stream_guard.ts";

const owner = (sessionId: string, ip: string): StreamOwner => ({
  sessionId,
  userId: "u1",
  role: "trader",
  ip,
});

/**
 * Counts the intervals started and not cleared while `fn` runs. The guard's one session-check timer is an
 * interval; counting them is the only way to see from outside that it is one per process, not per stream.
 */
async function liveIntervals<T>(fn: (live: () => number) => Promise<T>): Promise<T> {
  const live = new Set<ReturnType<typeof setInterval>>();
  const { setInterval: realSet, clearInterval: realClear } = globalThis;
  globalThis.setInterval = ((cb: () => void, ms?: number) => {
    const id = realSet(cb, ms);
    live.add(id);
    return id;
  }) as typeof setInterval;
  globalThis.clearInterval = ((id?: ReturnType<typeof setInterval>) => {
    if (id !== undefined) live.delete(id);
    realClear(id);
  }) as typeof clearInterval;
  try {
    return await fn(() => live.size);
  } finally {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
    for (const id of live) realClear(id);
  }
}

Deno.test("one session-check timer for every stream of the process, stopped with the last stream", async () => {
  await liveIntervals(async (live) => {
    let checks = 0;
    const guard = new StreamGuard<{ owner: StreamOwner }>({
      maxStreamsPerUser: 100,
      check: () => {
        checks++;
        return Promise.resolve([]);
      },
      end: () => {},
      log: () => {},
      sessionCheckMs: 20,
    });
    // Many streams of one session (one trader's tabs, or the SSE benchmark's 10,000), then a second session.
    const streams = Array.from({ length: 5 }, (_, i) => ({ owner: owner("s1", `10.0.0.${i}`) }));
    streams.push({ owner: owner("s2", "10.0.1.1") });
    for (const stream of streams) guard.admit(stream);
    assert.equal(live(), 1, "one timer, not one per stream");
    await new Promise((resolve) => setTimeout(resolve, 70));
    assert.ok(checks >= 1, "the sessions are checked");
    for (const stream of streams) guard.release(stream);
    assert.equal(live(), 0, "no timer left once every stream closed");
    // And a new first stream starts it again.
    guard.admit(streams[0]);
    assert.equal(live(), 1);
    guard.release(streams[0]);
    assert.equal(live(), 0);
  });
});
