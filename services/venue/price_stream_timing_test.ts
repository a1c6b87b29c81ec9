import assert from "node:assert/strict";
import { MemoryBus } from "../bus/mod.ts";
import type { Db } from "../../db/client.ts";
import { streamHub } from "../accounts/stream.ts";
import { PriceBook } from "./price_book.ts";
import { COALESCE_MS, openPriceStream } from "./price_stream.ts";

// Measures time: in SERIAL (tests/run.ts).
Deno.test("price streams: a feed ticking every COALESCE_MS is framed at once, without a lag that builds up", async () => {
  const deps = { db: { sql: {} } as unknown as Db, bus: new MemoryBus(), prices: new PriceBook() };
  streamHub(deps, { sessionCheckMs: 60_000, heartbeatMs: 60_000 });
  const owner = { sessionId: "s", userId: "u", role: "trader" as const, ip: "10.0.0.1" };
  const body = await openPriceStream(deps, { symbols: ["EURUSD"], owner });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const delays: number[] = [];
  const applied = new Map<number, number>();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const m of decoder.decode(value).matchAll(/data: (.*)\n/g)) {
        for (const t of JSON.parse(m[1]) as { at: number }[]) {
          const at = applied.get(t.at);
          if (at !== undefined) delays.push(performance.now() - at);
        }
      }
    }
  })();
  try {
    let next = performance.now();
    for (let i = 1; i <= 30; i++) {
      next += COALESCE_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      applied.set(i, performance.now());
      deps.prices.apply([{ symbol: "EURUSD", bid: "1.10000", ask: "1.10010", at: i }]);
    }
    await new Promise((r) => setTimeout(r, COALESCE_MS * 2));
    // Every tick framed (none superseded: they come no faster than frames may), each within a timer turn or
    // two rather than an interval: the later ones no slower than the first.
    assert.equal(delays.length, 30);
    const late = delays.slice(-10).toSorted((a, b) => a - b);
    assert.ok(late[5] < COALESCE_MS / 2, `median delay of the last ticks ${late[5].toFixed(1)} ms`);
  } finally {
    await reader.cancel();
    await reading;
  }
});
