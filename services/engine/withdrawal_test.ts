/**
 * Withdrawals (DESIGN §3.2): the gross amount leaves balance and equity; the daily-loss anchor, the trailing
 * high-water marks and trailing floors drop with it, a static floor stays; a reversal (rejection) puts every
 * figure back; a replay of the events, withdrawal included, reproduces the state hash.
 */
import assert from "node:assert/strict";
import fc from "../../tests/deps/fast_check.ts";
import { fromMinor } from "../money.ts";
import { applyEvent, applyEvents } from "./evaluate.ts";
import { compileRules } from "./rules.ts";
import {
  type AccountState,
  type EngineEvent,
  initialState,
  stateFromJson,
  stateHash,
  stateToJson,
} from "./state.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import {
  apex50k,
  close,
  FIRM_PLANS,
  ftmo100k,
  mark,
  open,
  t,
  the5ers100k,
  tick,
  topstep50k,
} from "./testing.ts";

const withdraw = (amount: string, at: string, payoutId = "p1"): EngineEvent => ({
  type: "withdrawal",
  payoutId,
  amount,
  at: t(at),
});
const reverse = (amount: string, at: string, payoutId = "p1"): EngineEvent => ({
  type: "withdrawal_reversal",
  payoutId,
  amount,
  at: t(at),
});

/** Funded-like: no profit target, so a 3,000 profit does not end the stage. */
function fold(plan: PlanDefinition, start: string, events: EngineEvent[]) {
  const rules = compileRules(plan, 0);
  return { rules, ...applyEvents(initialState(rules, t(start)), events, rules) };
}
const m = (s: AccountState) => ({
  balance: fromMinor(s.balance),
  equity: fromMinor(s.equity),
  anchor: s.day.anchor === null ? null : fromMinor(s.day.anchor),
  dailyFloor: s.dailyFloor === null ? null : fromMinor(s.dailyFloor),
  maxFloor: s.maxFloor === null ? null : fromMinor(s.maxFloor),
  highestEquity: fromMinor(s.highestEquity),
});
/** The state without the two fields every applied event moves. */
const figures = (s: AccountState) => ({ ...stateToJson(s), version: 0, lastEventAt: 0 });

const PROFIT_3000 = [open("a", "2026-06-01T09:00:00Z"), close("a", "3000.00", "2026-06-01T10:00:00Z")];

Deno.test("FTMO-style (daily 5 % of B0 from the start-of-day balance, static 10 %): profit 3,000, withdraw 2,500, trade", () => {
  const plan = ftmo100k({ profitTarget: null, minTradingDays: 0 });
  const before = fold(plan, "2026-06-01T06:00:00Z", PROFIT_3000);
  assert.deepEqual(m(before.state), {
    balance: "103000.00",
    equity: "103000.00",
    anchor: "100000.00",
    dailyFloor: "95000.00",
    maxFloor: "90000.00",
    highestEquity: "103000.00",
  });
  const w = applyEvent(before.state, withdraw("2500.00", "2026-06-01T11:00:00Z"), before.rules);
  assert.deepEqual(w.verdicts.map((v) => v.type), ["withdrawal"]);
  assert.equal(w.state.status, "active");
  assert.deepEqual(m(w.state), {
    balance: "100500.00",
    equity: "100500.00",
    anchor: "97500.00", // the day's anchor drops by the amount…
    dailyFloor: "92500.00", // …and so does its floor: the headroom stays 8,000.00
    maxFloor: "90000.00", // static: does not move
    highestEquity: "100500.00",
  });
  // The withdrawal is not the day's loss: P&L of the day is still +3,000.
  assert.equal(fromMinor(w.state.dailyPnl["2026-06-01"]), "3000.00");

  // Then trade: a floating loss to 93,000 is within the moved floor (it would have breached 95,000).
  let s = applyEvents(w.state, [
    open("b", "2026-06-01T12:00:00Z"),
    mark("93000.00", "100500.00", "2026-06-01T12:30:00Z"),
  ], before.rules);
  assert.equal(s.state.status, "active");
  const hit = applyEvent(s.state, mark("92499.99", "100500.00", "2026-06-01T12:31:00Z"), before.rules);
  assert.equal(hit.state.status, "failed");
  assert.ok(hit.verdicts[0].type === "breach");
  assert.equal(hit.verdicts[0].evidence.floor, "92500.00");

  // Next day: the anchor is the new start-of-day balance, as for any other balance.
  s = applyEvents(
    s.state,
    [close("b", "0.00", "2026-06-01T13:00:00Z"), tick("2026-06-02T06:00:00Z")],
    before.rules,
  );
  assert.deepEqual([m(s.state).anchor, m(s.state).dailyFloor, m(s.state).maxFloor], [
    "100500.00",
    "95500.00",
    "90000.00",
  ]);
});

Deno.test("Apex-style trailing intraday (2,500, locks at B0 + 100): the high-water mark and floor drop by the amount", () => {
  const plan = apex50k({ profitTarget: null });
  const before = fold(plan, "2026-06-01T06:00:00Z", PROFIT_3000);
  assert.deepEqual([m(before.state).highestEquity, m(before.state).maxFloor], ["53000.00", "50100.00"]);
  const w = applyEvent(before.state, withdraw("2500.00", "2026-06-01T11:00:00Z"), before.rules);
  assert.deepEqual(w.verdicts.map((v) => v.type), ["withdrawal"]);
  assert.deepEqual([m(w.state).equity, m(w.state).highestEquity, m(w.state).maxFloor], [
    "50500.00",
    "50500.00",
    "47600.00",
  ]);
  // Trade: 47,600.00 holds, a cent below fails; a new high trails the floor up again from the new mark.
  const s = applyEvents(w.state, [
    open("b", "2026-06-01T12:00:00Z"),
    mark("47600.00", "50500.00", "2026-06-01T12:10:00Z"),
    mark("50800.00", "50500.00", "2026-06-01T12:20:00Z"),
  ], before.rules);
  assert.equal(s.state.status, "active");
  assert.equal(m(s.state).maxFloor, "48300.00");
});

Deno.test("Topstep-style trailing end-of-day (2,000, locks at B0) with a 1,000 daily pause: floors after a withdrawal", () => {
  const plan = topstep50k({ profitTarget: null, minTradingDays: 0 });
  const before = fold(plan, "2026-06-01T06:00:00Z", [
    ...PROFIT_3000,
    tick("2026-06-01T23:00:00Z"), // 17:00 Chicago: end of day one
  ]);
  assert.deepEqual([m(before.state).anchor, m(before.state).dailyFloor, m(before.state).maxFloor], [
    "53000.00",
    "52000.00",
    "50000.00",
  ]);
  const w = applyEvent(before.state, withdraw("2500.00", "2026-06-02T14:00:00Z"), before.rules);
  assert.deepEqual(w.verdicts.map((v) => v.type), ["withdrawal"]);
  assert.deepEqual([m(w.state).balance, m(w.state).anchor, m(w.state).dailyFloor, m(w.state).maxFloor], [
    "50500.00",
    "50500.00",
    "49500.00",
    "47500.00",
  ]);
  assert.equal(fromMinor(w.state.highestEodBalance), "50500.00");
  const s = applyEvents(w.state, [
    open("b", "2026-06-02T15:00:00Z"),
    mark("49500.00", "50500.00", "2026-06-02T15:10:00Z"),
    close("b", "0.00", "2026-06-02T15:20:00Z"),
    tick("2026-06-02T23:00:00Z"),
  ], before.rules);
  assert.equal(s.state.status, "active");
  // At the reset the floor trails from the highest end-of-day balance after the withdrawal: 50,500 − 2,000.
  assert.equal(m(s.state).maxFloor, "48500.00");
});

Deno.test("The5ers-style daily 5 % of the anchor (sod max): anchor and floor drop by the amount, the static floor stays", () => {
  const plan = the5ers100k({ profitTarget: null, minTradingDays: 0 });
  const before = fold(plan, "2026-06-01T06:00:00Z", PROFIT_3000);
  const w = applyEvent(before.state, withdraw("2500.00", "2026-06-01T11:00:00Z"), before.rules);
  assert.deepEqual([m(w.state).anchor, m(w.state).dailyFloor, m(w.state).maxFloor], [
    "97500.00",
    "92500.00",
    "90000.00",
  ]);
});

Deno.test("a rejection (reversal) restores every figure exactly, right away or after more trading", () => {
  for (
    const plan of [
      ftmo100k({ profitTarget: null }),
      apex50k({ profitTarget: null }),
      the5ers100k({ profitTarget: null }),
    ]
  ) {
    const before = fold(plan, "2026-06-01T06:00:00Z", PROFIT_3000);
    const w = applyEvent(before.state, withdraw("2500.00", "2026-06-01T11:00:00Z"), before.rules).state;
    const r = applyEvent(w, reverse("2500.00", "2026-06-01T11:05:00Z"), before.rules);
    assert.deepEqual(r.verdicts, [{
      type: "withdrawal_reversed",
      payoutId: "p1",
      amount: "2500.00",
      at: "2026-06-01T11:05:00.000Z",
    }]);
    assert.deepEqual(figures(r.state), figures(before.state));

    // Withdraw, trade flat, reject: the same as having traded flat without the withdrawal.
    const tradeFlat = [open("b", "2026-06-01T12:00:00Z"), close("b", "0.00", "2026-06-01T12:30:00Z")];
    const withIt = applyEvents(w, [...tradeFlat, reverse("2500.00", "2026-06-01T13:00:00Z")], before.rules);
    const without = applyEvents(before.state, tradeFlat, before.rules);
    assert.deepEqual(figures(withIt.state), figures(without.state));
  }
});

Deno.test("replaying an account's events with a withdrawal and a reversal reproduces the state hash", () => {
  const plan = ftmo100k({ profitTarget: null });
  const events = [
    ...PROFIT_3000,
    withdraw("2500.00", "2026-06-01T11:00:00Z"),
    open("b", "2026-06-02T09:00:00Z"),
    mark("99000.00", "100500.00", "2026-06-02T09:30:00Z"),
    close("b", "-400.00", "2026-06-02T10:00:00Z"),
    reverse("2500.00", "2026-06-03T10:00:00Z"),
  ];
  const live = fold(plan, "2026-06-01T06:00:00Z", events).state;
  const replay = fold(plan, "2026-06-01T06:00:00Z", events).state;
  assert.equal(stateHash(replay), stateHash(live));
  assert.equal(stateHash(stateFromJson(JSON.parse(JSON.stringify(stateToJson(live))))), stateHash(live));
  // The hash tells a different history apart.
  const other = fold(plan, "2026-06-01T06:00:00Z", events.slice(0, -1)).state;
  assert.notEqual(stateHash(other), stateHash(live));
});

Deno.test("a withdrawal amount must be positive", () => {
  const before = fold(ftmo100k({ profitTarget: null }), "2026-06-01T06:00:00Z", []);
  assert.throws(
    () => applyEvent(before.state, withdraw("0.00", "2026-06-01T11:00:00Z"), before.rules),
    RangeError,
  );
});

Deno.test("a withdrawal on a day without a closed profit or loss adds no P&L day, and its reversal restores the state exactly", () => {
  // Found by the property below (seed -250720718): a flat trade on a new trading day, then a withdrawal.
  const plan = { ...FIRM_PLANS.ftmo, phases: [{ ...FIRM_PLANS.ftmo.phases[0], profitTarget: null }] };
  const rules = compileRules(plan as PlanDefinition, 0);
  const start = t("2026-03-20T08:00:00Z");
  const trade = (id: string, pnl: string, at: number): EngineEvent[] => [
    { type: "trade_open", tradeId: id, symbol: "ES", direction: "buy", volume: "1", price: "1", at },
    { type: "trade_close", tradeId: id, price: "1", pnl, at: at + 1 },
  ];
  const events = [
    ...trade("a", "0.01", t("2026-03-20T16:02:00Z")),
    // 00:00 on 21 March in Prague: the next trading day, closed flat.
    ...trade("b", "0.00", t("2026-03-20T23:00:00Z")),
  ];
  const state = applyEvents(initialState(rules, start), events, rules).state;
  assert.deepEqual(Object.keys(state.dailyPnl), ["2026-03-20"]);
  const at = t("2026-03-20T23:05:00Z");
  const w = applyEvent(state, { type: "withdrawal", payoutId: "p", amount: "0.01", at }, rules);
  assert.deepEqual(Object.keys(w.state.dailyPnl), ["2026-03-20"]);
  const r = applyEvent(
    w.state,
    { type: "withdrawal_reversal", payoutId: "p", amount: "0.01", at: at + 1 },
    rules,
  );
  assert.deepEqual(figures(r.state), figures(state));
});

Deno.test("property: at any live point, a withdrawal keeps the headroom to every moving floor, never breaches when flat within the profit, and its reversal restores the state", () => {
  const plans = Object.values(FIRM_PLANS).map((p) => ({
    ...p,
    phases: [{ ...p.phases[0], profitTarget: null }],
  }));
  fc.assert(
    fc.property(
      fc.constantFrom(...plans.keys()),
      fc.array(
        fc.record({
          gap: fc.integer({ min: 1, max: 900 }),
          pnl: fc.integer({ min: -150_000, max: 400_000 }),
        }),
        {
          maxLength: 20,
        },
      ),
      fc.integer({ min: 1, max: 1000 }),
      (i, trades, per) => {
        const plan = plans[i] as PlanDefinition;
        const rules = compileRules(plan, 0);
        let at = t("2026-03-20T08:00:00Z");
        const events: EngineEvent[] = [];
        trades.forEach((tr, n) => {
          at += tr.gap * 60_000;
          events.push({
            type: "trade_open",
            tradeId: `t${n}`,
            symbol: "ES",
            direction: "buy",
            volume: "1",
            price: "1",
            at,
          });
          events.push({
            type: "trade_close",
            tradeId: `t${n}`,
            price: "1",
            pnl: fromMinor(BigInt(tr.pnl)),
            at: at + 1,
          });
          at += 1;
        });
        const state = applyEvents(initialState(rules, t("2026-03-20T08:00:00Z")), events, rules).state;
        const profit = state.balance - state.initialBalance;
        if (state.status !== "active" || profit <= 0n) return;
        const amount = fromMinor((profit * BigInt(per)) / 1000n || 1n);
        const w = applyEvent(state, { type: "withdrawal", payoutId: "p", amount, at: at + 1 }, rules);
        assert.deepEqual(w.verdicts.map((v) => v.type), ["withdrawal"]);
        assert.equal(w.state.status, "active");
        if (rules.dailyLoss?.anchor !== "initial" && state.dailyFloor !== null) {
          assert.equal(w.state.equity - w.state.dailyFloor!, state.equity - state.dailyFloor);
        }
        if (rules.maxLoss && rules.maxLoss.mode !== "static") {
          assert.equal(w.state.equity - w.state.maxFloor!, state.equity - state.maxFloor!);
        }
        const r = applyEvent(
          w.state,
          { type: "withdrawal_reversal", payoutId: "p", amount, at: at + 2 },
          rules,
        );
        assert.deepEqual(figures(r.state), figures(state));
        assert.equal(
          stateHash(applyEvents(initialState(rules, t("2026-03-20T08:00:00Z")), events, rules).state),
          stateHash(state),
        );
      },
    ),
    { numRuns: 300 },
  );
});
