import assert from "node:assert/strict";
import { type ClosedTrade, ratio4 } from "./statistics.ts";
import { statisticsOfTrades as computeStatistics } from "./statistics_aggregate.ts";

const at = (iso: string) => Date.parse(iso);
const cents = (s: string) => BigInt(s.replace(".", ""));

function trade(
  id: string,
  symbol: string,
  direction: "buy" | "sell",
  pnl: string,
  opened: string,
  closed: string,
): ClosedTrade {
  return {
    id,
    tradeId: `T-${id}`,
    symbol,
    direction,
    pnl: cents(pnl),
    openedAt: at(opened),
    closedAt: at(closed),
  };
}

/**
 * B0 = 10,000.00; the plan's day runs Prague midnight to midnight (22:00 UTC in June). Five closed trades:
 *   t1 EURUSD buy  +200.00  Mon 1 Jun 09:00→09:30Z (30 min)   day 2026-06-01
 *   t2 XAUUSD sell  −50.00  Mon 1 Jun 10:00→11:00Z (60 min)   day 2026-06-01
 *   t3 EURUSD sell −300.00  Tue 2 Jun 09:00→09:10Z (10 min)   day 2026-06-02
 *   t4 EURUSD buy     0.00  Tue 2 Jun 22:00→22:20Z (20 min)   day 2026-06-03 (00:20 in Prague: Wednesday)
 *   t5 XAUUSD buy  +250.00  Thu 4 Jun 08:00→10:00Z (120 min)  day 2026-06-04
 * Equity samples (unrealized swings make the equity drawdown deeper than the balance one):
 *   10000 → 10250 (open profit before t1 closed) → 10150 → 9700 (intraday low on the 2nd) → 9850 → 10100
 */
const fixture = {
  startBalance: cents("10000.00"),
  reset: { timeZone: "Europe/Prague", time: "00:00" },
  trades: [
    trade("t1", "EURUSD", "buy", "200.00", "2026-06-01T09:00:00Z", "2026-06-01T09:30:00Z"),
    trade("t2", "XAUUSD", "sell", "-50.00", "2026-06-01T10:00:00Z", "2026-06-01T11:00:00Z"),
    trade("t3", "EURUSD", "sell", "-300.00", "2026-06-02T09:00:00Z", "2026-06-02T09:10:00Z"),
    trade("t4", "EURUSD", "buy", "0.00", "2026-06-02T22:00:00Z", "2026-06-02T22:20:00Z"),
    trade("t5", "XAUUSD", "buy", "250.00", "2026-06-04T08:00:00Z", "2026-06-04T10:00:00Z"),
  ],
  samples: [
    ["2026-06-01T08:00:00Z", "10000.00"],
    ["2026-06-01T09:20:00Z", "10250.00"],
    ["2026-06-01T11:00:00Z", "10150.00"],
    ["2026-06-02T09:05:00Z", "9700.00"],
    ["2026-06-02T22:20:00Z", "9850.00"],
    ["2026-06-04T10:00:00Z", "10100.00"],
  ].map(([t, e]) => ({ at: at(t), equity: cents(e) })),
};

Deno.test("statistics: every DESIGN §3.1 figure of a hand-computed fixture", () => {
  const s = computeStatistics(fixture);
  // Counts: wins t1 t5; losses t2 t3; breakeven t4. winRate = 2 / 5.
  assert.equal(s.trades, 5);
  assert.equal(s.wins, 2);
  assert.equal(s.losses, 2);
  assert.equal(s.breakeven, 1);
  assert.equal(s.winRate, "0.4000");
  // grossProfit = 200 + 250 = 450; grossLoss = 50 + 300 = 350; net = 450 − 350 = 100.
  assert.equal(s.grossProfit, "450.00");
  assert.equal(s.grossLoss, "350.00");
  assert.equal(s.netProfit, "100.00");
  // profitFactor = 450 / 350 = 1.285714…; averageWin = 450 / 2; averageLoss = 350 / 2;
  // payoffRatio = 225 / 175 = 1.285714…; expectancy = 100 / 5.
  assert.equal(s.profitFactor, "1.2857");
  assert.equal(s.averageWin, "225.00");
  assert.equal(s.averageLoss, "175.00");
  assert.equal(s.payoffRatio, "1.2857");
  assert.equal(s.expectancy, "20.00");
  assert.deepEqual(s.bestTrade, { id: "t5", tradeId: "T-t5", pnl: "250.00" });
  assert.deepEqual(s.worstTrade, { id: "t3", tradeId: "T-t3", pnl: "-300.00" });
  // (30 + 60 + 10 + 20 + 120) / 5 = 240 / 5 = 48 minutes.
  assert.equal(s.averageHoldMinutes, "48.00");
  // Long t1 t4 t5: 200 + 0 + 250; short t2 t3: −50 − 300.
  assert.deepEqual(s.long, { count: 3, net: "450.00" });
  assert.deepEqual(s.short, { count: 2, net: "-350.00" });

  // Days in Prague time: t4 closed at 00:20 local on the 3rd, so it belongs to the 3rd, not the 2nd.
  assert.deepEqual(s.dailyPnl, [
    { day: "2026-06-01", pnl: "150.00", trades: 2 }, // 200 − 50
    { day: "2026-06-02", pnl: "-300.00", trades: 1 },
    { day: "2026-06-03", pnl: "0.00", trades: 1 },
    { day: "2026-06-04", pnl: "250.00", trades: 1 },
  ]);
  assert.deepEqual(s.bestDay, { day: "2026-06-04", pnl: "250.00", trades: 1 });
  assert.deepEqual(s.worstDay, { day: "2026-06-02", pnl: "-300.00", trades: 1 });
  assert.equal(s.winningDays, 2);

  // Closed balance: 10000 → 10200 → 10150 → 9850 → 9850 → 10100. Peak 10200, trough 9850:
  // 350.00, and 350 / 10200 × 100 = 3.431372… %.
  assert.deepEqual(s.maxDrawdown, {
    amount: "350.00",
    percent: "3.4314",
    peak: "10200.00",
    trough: "9850.00",
  });
  // Equity: peak 10250, trough 9700: 550.00, and 550 / 10250 × 100 = 5.365853… % (deeper than the balance).
  assert.deepEqual(s.maxDrawdownEquity, {
    amount: "550.00",
    percent: "5.3659",
    peak: "10250.00",
    trough: "9700.00",
  });

  // Daily returns over 1–4 Jun (closing balances 10000 | 10150, 9850, 9850, 10100):
  //   r1 = 150 / 10000 = 0.015; r2 = −300 / 10150 = −0.0295566502; r3 = 0 / 9850 = 0; r4 = 250 / 9850 = 0.0253807107
  //   mean = 0.0108240604 / 4 = 0.0027060151
  //   sample variance = Σ(r − mean)² / 3 = 0.0017134860 / 3 = 0.0005711620, stdev = 0.0238989956
  //   sharpe = 0.0027060151 / 0.0238989956 × √252 (15.8745079) = 1.7974
  //   downside = √((−0.0295566502)² / 4) = 0.0147783251; sortino = 0.0027060151 / 0.0147783251 × √252 = 2.9067
  assert.equal(s.sharpe, "1.7974");
  assert.equal(s.sortino, "2.9067");

  assert.deepEqual(s.bySymbol, [
    { key: "EURUSD", trades: 3, net: "-100.00" }, // 200 − 300 + 0
    { key: "XAUUSD", trades: 2, net: "200.00" }, // −50 + 250
  ]);
  assert.deepEqual(s.byDirection, [
    { key: "buy", trades: 3, net: "450.00" },
    { key: "sell", trades: 2, net: "-350.00" },
  ]);
  assert.deepEqual(s.byWeekday, [
    { key: "Monday", trades: 2, net: "150.00" },
    { key: "Tuesday", trades: 1, net: "-300.00" },
    { key: "Wednesday", trades: 1, net: "0.00" },
    { key: "Thursday", trades: 1, net: "250.00" },
  ]);
});

Deno.test("statistics: undefined figures are null, not zero or NaN", () => {
  const empty = computeStatistics({ ...fixture, trades: [], samples: [] });
  assert.equal(empty.trades, 0);
  for (
    const key of [
      "winRate",
      "profitFactor",
      "averageWin",
      "averageLoss",
      "payoffRatio",
      "expectancy",
      "bestTrade",
      "worstTrade",
      "averageHoldMinutes",
      "bestDay",
      "worstDay",
      "maxDrawdown",
      "maxDrawdownEquity",
      "sharpe",
      "sortino",
    ] as const
  ) assert.equal(empty[key], null, key);
  assert.equal(empty.netProfit, "0.00");
  assert.deepEqual(empty.dailyPnl, []);

  // Only winners on one day: no loss to divide by, fewer than 2 days for the ratios, no fall yet.
  const one = computeStatistics({ ...fixture, trades: [fixture.trades[0]], samples: [] });
  assert.equal(one.profitFactor, null);
  assert.equal(one.averageLoss, null);
  assert.equal(one.payoffRatio, null);
  assert.equal(one.sharpe, null);
  assert.equal(one.sortino, null);
  assert.deepEqual(one.maxDrawdown, {
    amount: "0.00",
    percent: "0.0000",
    peak: "10200.00",
    trough: "10200.00",
  });

  // Two winning days: a Sharpe exists but no downside, so no Sortino.
  const up = computeStatistics({ ...fixture, trades: [fixture.trades[0], fixture.trades[4]], samples: [] });
  assert.notEqual(up.sharpe, null);
  assert.equal(up.sortino, null);
});

Deno.test("statistics: ratios round half away from zero on exact integers", () => {
  assert.equal(ratio4(1n, 3n), "0.3333");
  assert.equal(ratio4(2n, 3n), "0.6667");
  assert.equal(ratio4(-2n, 3n), "-0.6667");
  assert.equal(ratio4(1n, 20_000n), "0.0001"); // 0.00005 → up
  assert.equal(ratio4(-1n, 20_000n), "-0.0001");
  assert.equal(ratio4(7n, 0n), null);
  assert.equal(ratio4(123_456n, 1n), "123456.0000");
});
