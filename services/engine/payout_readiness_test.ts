import assert from "node:assert/strict";
import { payoutReadiness, type ReadinessFacts, requestProblem, traderShare } from "./payout_readiness.ts";

const base: ReadinessFacts = {
  accountType: "funded",
  accountStatus: "active",
  kyc: "approved",
  initialBalance: "100000.00",
  balance: "103000.00",
  openPositions: 0,
  terms: { profitSplitPercent: "80", minPayout: "100.00", payoutIntervalDays: 14 },
  firstTradeAt: new Date("2026-11-01T10:00:00Z"),
  lastRequestAt: null,
  openRequest: null,
  timeZone: "Europe/Prague",
  currency: "USD",
  now: new Date("2026-12-01T10:00:00Z"),
};

Deno.test("trader share is floor(amount × split %) to the cent", () => {
  assert.equal(traderShare("120.00", "80"), "96.00");
  assert.equal(traderShare("0.01", "80"), "0.00");
  assert.equal(traderShare("123.45", "85.5"), "105.54"); // 105.54975 floored
  assert.equal(traderShare("2500.00", "90"), "2250.00");
  assert.equal(traderShare("99.99", "100"), "99.99");
});

Deno.test("an eligible account: every condition met, the figures of a request", () => {
  const r = payoutReadiness(base);
  assert.equal(r.eligible, true);
  assert.deepEqual(r.conditions.map((c) => [c.key, c.met]), [
    ["funded_active", true],
    ["kyc_approved", true],
    ["no_open_positions", true],
    ["profit", true],
    ["min_payout", true],
    ["interval", true],
    ["no_open_request", true],
  ]);
  assert.deepEqual([r.profit, r.maxAmount, r.maxShare, r.minAmount], [
    "3000.00",
    "3000.00",
    "2400.00",
    "125.00",
  ]);
  assert.equal(requestProblem(r, "2500.00"), null);
  assert.equal(requestProblem(r, "3000.01"), "The amount $3,000.01 is more than the profit $3,000.");
  assert.equal(requestProblem(r, "124.99"), "$124.99 × 80\u00a0% = $99.99 is below the minimum $100.");
  assert.equal(requestProblem(r, "125.00"), null);
});

Deno.test("the sentences of DESIGN §3.2: interval, open positions, minimum", () => {
  const r = payoutReadiness({
    ...base,
    balance: "100120.00",
    openPositions: 2,
    lastRequestAt: new Date("2026-12-06T13:00:00Z"),
  });
  assert.equal(r.eligible, false);
  const msg = Object.fromEntries(r.conditions.map((c) => [c.key, c.message]));
  assert.equal(msg.interval, "Next request possible on 20 Dec 2026, 14:00 (your time).");
  assert.equal(msg.no_open_positions, "Close 2 open positions.");
  assert.equal(msg.min_payout, "Profit $120 × 80\u00a0% = $96 is below the minimum $100.");
  assert.equal(r.nextRequestAt, "2026-12-20T13:00:00.000Z");
  assert.equal(requestProblem(r, "100.00"), "Close 2 open positions.");
});

Deno.test("not yet: KYC, status, no trade, an open request, a loss", () => {
  const r = payoutReadiness({
    ...base,
    accountStatus: "pending_kyc",
    kyc: "submitted",
    balance: "99000.00",
    firstTradeAt: null,
    openRequest: { id: "x", requestedAt: new Date("2026-11-30T09:00:00Z") },
  });
  const unmet = r.conditions.filter((c) => !c.met).map((c) => c.key);
  assert.deepEqual(unmet, [
    "funded_active",
    "kyc_approved",
    "profit",
    "min_payout",
    "interval",
    "no_open_request",
  ]);
  assert.deepEqual([r.profit, r.maxAmount, r.maxShare], ["-1000.00", "0.00", "0.00"]);
  assert.equal(r.nextRequestAt, null);
});
