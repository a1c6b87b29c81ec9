import assert from "node:assert/strict";
import { loopLag, tableWritesText } from "./venue_probes.ts";

Deno.test("loopLag: a loop held 40 ms shows a timer at least ~35 ms late", async () => {
  const probe = loopLag(5);
  await new Promise((r) => setTimeout(r, 20));
  const until = performance.now() + 40;
  while (performance.now() < until) { /* hold the loop */ }
  await new Promise((r) => setTimeout(r, 20));
  const lags = probe.stop();
  assert.ok(lags.length >= 2, `samples: ${lags.length}`);
  assert.ok(Math.max(...lags) >= 35, `max lag ${Math.max(...lags)}`);
  assert.ok(lags.every((l) => l >= 0));
});

Deno.test("tableWritesText: per-second deltas, HOT share of updates, most rows first, untouched tables left out", () => {
  const before = new Map([
    ["accounts", { ins: 10, upd: 100, hot: 50 }],
    ["account_events", { ins: 500, upd: 0, hot: 0 }],
    ["users", { ins: 3, upd: 0, hot: 0 }],
  ]);
  const after = new Map([
    ["accounts", { ins: 10, upd: 300, hot: 230 }],
    ["account_events", { ins: 900, upd: 0, hot: 0 }],
    ["users", { ins: 3, upd: 0, hot: 0 }],
    ["equity_samples", { ins: 20, upd: 20, hot: 0 }],
  ]);
  assert.equal(
    tableWritesText(before, after, 2),
    "account_events 200 ins/s, accounts 100 upd/s (90 % HOT), equity_samples 10 ins/s 10 upd/s (0 % HOT)",
  );
});
