import assert from "node:assert/strict";
import { MemoryBus } from "../bus/mod.ts";
import type { Db } from "../../db/client.ts";
import { streamHub } from "../accounts/stream.ts";
import { PriceBook, type Tick } from "./price_book.ts";
import { COALESCE_MS, openPriceStream } from "./price_stream.ts";

const tick = (symbol: string, bid: string, at: number): Tick => ({ symbol, bid, ask: bid, at });
const owner = (i: number) => ({
  sessionId: `s${i}`,
  userId: `u${i}`,
  role: "trader" as const,
  ip: `10.0.0.${i}`,
});

/** Reads one chunk (one enqueued frame: the stream hands out the very bytes enqueued). */
const next = async (reader: ReadableStreamDefaultReader<Uint8Array>) => (await reader.read()).value!;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("price streams: one frame encoded once for every stream asking alike, newest ticks only", async () => {
  // No database is reached: sessions are not checked within this test.
  const deps = { db: { sql: {} } as unknown as Db, bus: new MemoryBus(), prices: new PriceBook() };
  streamHub(deps, { sessionCheckMs: 60_000, heartbeatMs: 60_000 });
  deps.prices.apply([tick("EURUSD", "1.10000", 1)]);
  const open = (i: number, symbols: string[]) =>
    openPriceStream(deps, { symbols, owner: owner(i) }).then((body) => body.getReader());
  const [a, b] = [await open(1, ["EURUSD", "USDJPY"]), await open(2, ["EURUSD", "USDJPY"])];
  const c = await open(3, ["USDJPY"]);
  const readers = [a, b, c];
  try {
    for (const r of readers) assert.match(text(await next(r)), /^retry: /);
    assert.match(text(await next(a)), /"EURUSD","bid":"1.10000"/);
    await next(b);
    assert.equal(text(await next(c)), "event: ticks\ndata: []\n\n");

    deps.prices.apply([tick("EURUSD", "1.10010", 2), tick("GBPUSD", "1.30000", 2)]);
    deps.prices.apply([tick("EURUSD", "1.10020", 3), tick("USDJPY", "150.000", 3)]);
    const [fa, fb, fc] = await Promise.all(readers.map(next));
    assert.deepEqual(JSON.parse(text(fa).split("data: ")[1]), [
      tick("EURUSD", "1.10020", 3),
      tick("USDJPY", "150.000", 3),
    ]);
    // The same bytes, not an equal copy per stream.
    assert.equal(fa, fb);
    assert.deepEqual(JSON.parse(text(fc).split("data: ")[1]), [tick("USDJPY", "150.000", 3)]);

    // A batch of symbols nobody asked for sends nothing; the next one only what changed since.
    deps.prices.apply([tick("GBPUSD", "1.30010", 4)]);
    await new Promise((resolve) => setTimeout(resolve, COALESCE_MS * 2));
    deps.prices.apply([tick("USDJPY", "150.010", 5)]);
    const [ga, gc] = await Promise.all([next(a), next(c)]);
    assert.equal(text(ga), text(gc));
    assert.deepEqual(JSON.parse(text(ga).split("data: ")[1]), [tick("USDJPY", "150.010", 5)]);
  } finally {
    for (const r of readers) await r.cancel();
  }
});
