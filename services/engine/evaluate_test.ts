import assert from "node:assert/strict";
import { canonicalJson, sha256HexSync } from "./canonical.ts";
import { applyEvent, applyEvents } from "./evaluate.ts";
import { objectives } from "./objectives.ts";
import { compileRules } from "./rules.ts";
import { dailyFloorOf, eventToJson, initialState, openDay, stateToJson } from "./state.ts";
import {
  apex50k,
  close,
  ftmo100k,
  mark,
  open,
  planWith,
  run,
  t,
  the5ers100k,
  tick,
  topstep50k,
} from "./testing.ts";
import { fromMinor } from "../money.ts";

// Prague in June is UTC+2: the 00:00 reset is 22:00 UTC the evening before.
const START = "2026-06-01T06:00:00Z";

Deno.test("FTMO 100K: day one floor is 95,000.00 on equity; 94,999.99 fails with replayable evidence", () => {
  const events = [
    open("a", "2026-06-01T07:00:00Z", "XAUUSD"),
    mark("95000.00", "100000.00", "2026-06-01T10:00:00Z"),
    mark("94999.99", "100000.00", "2026-06-01T10:05:00Z"),
  ];
  const before = run(ftmo100k(), START, events.slice(0, 2));
  assert.equal(before.state.status, "active");
  assert.equal(fromMinor(before.state.dailyFloor!), "95000.00");
  assert.equal(fromMinor(before.state.maxFloor!), "90000.00");

  const { state, verdicts } = applyEvent(before.state, events[2], before.rules);
  assert.equal(state.status, "failed");
  assert.equal(verdicts.length, 1);
  assert.equal(verdicts[0].type, "breach");
  const evidence = state.breach!;
  assert.deepEqual(verdicts[0], { type: "breach", evidence });
  assert.deepEqual({ ...evidence, inputsHash: "…" }, {
    rule: "daily_loss",
    action: "fail",
    ruleVersion: before.rules.version,
    at: "2026-06-01T10:05:00.000Z",
    tradingDay: "2026-06-01",
    basis: "equity",
    floor: "95000.00",
    observed: "94999.99",
    anchor: { kind: "sod_balance", value: "100000.00" },
    deadline: null,
    cause: { type: "equity", equity: "94999.99", balance: "100000.00", at: "2026-06-01T10:05:00.000Z" },
    openPositions: [{
      tradeId: "a",
      symbol: "XAUUSD",
      direction: "buy",
      volume: "1.00",
      price: "1.08000",
      openedAt: "2026-06-01T07:00:00.000Z",
    }],
    inputsHash: "…",
  });
  // The hash covers exactly (rule version, prior state, cause); replaying them reproduces the verdict.
  const inputs = {
    ruleVersion: before.rules.version,
    state: stateToJson(before.state),
    event: eventToJson(events[2]),
  };
  assert.equal(evidence.inputsHash, sha256HexSync(canonicalJson(inputs)));
  assert.deepEqual(applyEvent(before.state, events[2], before.rules).state.breach, evidence);
  assert.match(before.rules.version, /^sha256:[0-9a-f]{64}$/);
});

Deno.test("FTMO 100K: the next day's floor is 5,000.00 below the start-of-day balance; max loss stays 90,000", () => {
  const { state, rules } = run(ftmo100k(), START, [
    open("a", "2026-06-01T07:00:00Z"),
    close("a", "1200.00", "2026-06-01T09:00:00Z"),
    mark("97000.00", "101200.00", "2026-06-02T08:00:00Z"),
  ]);
  assert.equal(state.day.key, "2026-06-02");
  assert.equal(fromMinor(state.dailyFloor!), "96200.00");
  assert.equal(fromMinor(state.maxFloor!), "90000.00");
  const daily = objectives(state, rules, t("2026-06-02T08:00:00Z")).find((o) => o.key === "daily_loss");
  assert.deepEqual(daily, {
    key: "daily_loss",
    status: "ok",
    basis: "equity",
    floor: "96200.00",
    anchor: "101200.00",
    current: "97000.00",
    resetsAt: "2026-06-02T22:00:00.000Z",
    pausedUntil: null,
  });
  // Paused by staff (services/accounts/admin.ts: no end): the daily loss limit did not pause it, so it is
  // not "pending" (the pages showed "Paused" on the daily loss card beside "Within limit").
  const byStaff = { ...state, status: "paused" as const, pausedUntil: null };
  assert.equal(objectives(byStaff, rules, t("2026-06-02T08:00:00Z"))[1].status, "ok");
  const failed = applyEvent(state, mark("96199.99", "101200.00", "2026-06-02T09:00:00Z"), rules).state;
  assert.equal(failed.breach?.floor, "96200.00");
});

Deno.test("max loss static: 10 % of 100K is a 90,000.00 floor that never moves", () => {
  const { state } = run(ftmo100k({ dailyLoss: null }), START, [
    open("a", "2026-06-01T07:00:00Z"),
    mark("112000.00", "100000.00", "2026-06-01T08:00:00Z"),
    mark("90000.00", "100000.00", "2026-06-02T08:00:00Z"),
  ]);
  assert.equal(state.status, "active");
  assert.equal(fromMinor(state.maxFloor!), "90000.00");
  const { rules } = run(ftmo100k({ dailyLoss: null }), START, []);
  const failed = applyEvent(state, mark("89999.99", "100000.00", "2026-06-02T09:00:00Z"), rules).state;
  assert.equal(failed.status, "failed");
  assert.deepEqual([failed.breach?.rule, failed.breach?.floor, failed.breach?.anchor], [
    "max_loss",
    "90000.00",
    { kind: "static", value: "100000.00" },
  ]);
});

// Chicago in June is UTC−5: the 17:00 reset is 22:00 UTC.
const topstepWeek = [
  open("a", "2026-06-01T14:00:00Z"),
  close("a", "800.00", "2026-06-01T15:00:00Z"), // Monday EOD balance 50,800
  open("b", "2026-06-02T13:45:00Z"),
  mark("51900.00", "50800.00", "2026-06-02T14:00:00Z"), // intraday high: an EOD floor ignores it
  close("b", "700.00", "2026-06-02T15:00:00Z"), // Tuesday EOD 51,500
  open("c", "2026-06-03T13:45:00Z"),
  close("c", "1100.00", "2026-06-03T15:00:00Z"), // Wednesday EOD 52,600
  open("d", "2026-06-04T13:45:00Z"),
  close("d", "2400.00", "2026-06-04T15:00:00Z"), // Thursday EOD 55,000
  open("e", "2026-06-05T13:45:00Z"),
];

Deno.test("Topstep 50K: $2,000 trailing end-of-day floor locks at the initial balance", () => {
  const plan = topstep50k({ dailyLoss: null, profitTarget: { amount: "9000.00" } });
  const rules = compileRules(plan, 0);
  let state = initialState(rules, t("2026-06-01T13:30:00Z"));
  const floors: string[] = [fromMinor(state.maxFloor!)];
  for (const event of topstepWeek) {
    const before = state.day.key;
    state = applyEvent(state, event, rules).state;
    if (state.day.key !== before) floors.push(fromMinor(state.maxFloor!));
  }
  assert.deepEqual(floors, ["48000.00", "48800.00", "49500.00", "50000.00", "50000.00"]);
  state = applyEvent(state, mark("50000.00", "55000.00", "2026-06-05T14:00:00Z"), rules).state;
  assert.equal(state.status, "active");
  state = applyEvent(state, mark("49999.99", "55000.00", "2026-06-05T14:01:00Z"), rules).state;
  assert.equal(state.status, "failed");
  assert.deepEqual([state.breach?.rule, state.breach?.floor, state.breach?.anchor], [
    "max_loss",
    "50000.00",
    { kind: "trailing_eod", value: "55000.00" },
  ]);
});

Deno.test("trailing end-of-day without a lock keeps trailing the highest EOD balance", () => {
  const plan = topstep50k({
    dailyLoss: null,
    profitTarget: { amount: "9000.00" },
    maxLoss: { amount: "2000.00", mode: "trailing_eod", lockAtOffset: null },
  });
  const { state, rules } = run(plan, "2026-06-01T13:30:00Z", topstepWeek);
  assert.equal(fromMinor(state.maxFloor!), "53000.00");
  const failed = applyEvent(state, mark("52999.99", "55000.00", "2026-06-05T14:00:00Z"), rules).state;
  assert.equal(failed.breach?.rule, "max_loss");
});

Deno.test("Topstep daily loss limit $1,000 pauses until the next reset (not a failure), then resumes", () => {
  const { state: paused, verdicts, rules } = run(topstep50k(), "2026-06-01T13:30:00Z", [
    open("a", "2026-06-01T14:00:00Z"),
    mark("49000.00", "50000.00", "2026-06-01T14:30:00Z"),
    mark("48999.99", "50000.00", "2026-06-01T14:31:00Z"),
  ]);
  assert.equal(paused.status, "paused");
  assert.equal(paused.breach, null);
  assert.equal(paused.pausedUntil, t("2026-06-01T22:00:00Z"));
  const pausedVerdict = verdicts.find((v) => v.type === "paused");
  assert.ok(pausedVerdict?.type === "paused");
  assert.equal(pausedVerdict.until, "2026-06-01T22:00:00.000Z");
  assert.deepEqual(
    [pausedVerdict.evidence.rule, pausedVerdict.evidence.action, pausedVerdict.evidence.floor],
    ["daily_loss", "pause", "49000.00"],
  );
  assert.equal(objectives(paused, rules, t("2026-06-01T15:00:00Z"))[1].status, "pending");

  // Liquidated at a further loss; a trade slipping through while paused earns no trading day.
  const later = applyEvents(paused, [
    close("a", "-1000.01", "2026-06-01T14:32:00Z"),
    open("x", "2026-06-01T15:00:00Z"),
    close("x", "0.00", "2026-06-01T15:01:00Z"),
  ], rules);
  assert.equal(later.state.status, "paused");
  assert.deepEqual(later.verdicts, []);
  assert.deepEqual(later.state.tradingDays, ["2026-06-01"]);

  const resumed = applyEvent(later.state, tick("2026-06-01T22:00:00Z"), rules);
  assert.deepEqual(resumed.verdicts, [{ type: "resumed", at: "2026-06-01T22:00:00.000Z" }]);
  assert.equal(resumed.state.status, "active");
  assert.equal(resumed.state.day.key, "2026-06-02");
  assert.equal(fromMinor(resumed.state.dailyFloor!), "47999.99");
  assert.equal(fromMinor(resumed.state.maxFloor!), "48000.00"); // highest EOD stays B0
});

Deno.test("Apex-style 50K: $2,500 trailing on intraday equity (incl. open profit), stops at B0 + $100", () => {
  const marks = ["51000.00", "52000.00", "52600.00", "54000.00"];
  const events = [
    open("a", "2026-06-01T14:00:00Z"),
    ...marks.map((e, i) => mark(e, "50000.00", `2026-06-01T15:0${i}:00Z`)),
  ];
  const rules = compileRules(apex50k(), 0);
  let state = initialState(rules, t("2026-06-01T13:30:00Z"));
  const floors: string[] = [];
  for (const event of events) {
    state = applyEvent(state, event, rules).state;
    floors.push(fromMinor(state.maxFloor!));
  }
  assert.deepEqual(floors, ["47500.00", "48500.00", "49500.00", "50100.00", "50100.00"]);
  state = applyEvent(state, mark("50100.00", "50000.00", "2026-06-01T16:00:00Z"), rules).state;
  assert.equal(state.status, "active");
  state = applyEvent(state, mark("50099.99", "50000.00", "2026-06-01T16:01:00Z"), rules).state;
  assert.deepEqual([state.status, state.breach?.anchor], ["failed", {
    kind: "trailing_intraday",
    value: "54000.00",
  }]);

  const unlocked = run(
    apex50k({ maxLoss: { amount: "2500.00", mode: "trailing_intraday", lockAtOffset: null } }),
    "2026-06-01T13:30:00Z",
    events,
  );
  assert.equal(fromMinor(unlocked.state.maxFloor!), "51500.00");
  const failed = applyEvent(
    unlocked.state,
    mark("51499.99", "50000.00", "2026-06-01T16:00:00Z"),
    unlocked.rules,
  );
  assert.equal(failed.state.breach?.floor, "51500.00");
});

Deno.test("The5ers-style: 5 % of the higher of start-of-day balance and equity", () => {
  const { state, rules } = run(the5ers100k(), START, [
    open("a", "2026-06-01T07:00:00Z"),
    close("a", "2000.00", "2026-06-01T08:00:00Z"),
    open("b", "2026-06-01T09:00:00Z"),
    mark("103000.00", "102000.00", "2026-06-01T21:00:00Z"),
    mark("97850.00", "102000.00", "2026-06-02T08:00:00Z"),
  ]);
  assert.deepEqual([state.status, fromMinor(state.day.anchor!), fromMinor(state.dailyFloor!)], [
    "active",
    "103000.00",
    "97850.00", // 103,000 − 5,150
  ]);
  const failed = applyEvent(state, mark("97849.99", "102000.00", "2026-06-02T08:01:00Z"), rules).state;
  assert.deepEqual(failed.breach?.anchor, { kind: "sod_max", value: "103000.00" });
});

Deno.test("a percentage of the anchor is rounded half away from zero to the cent", () => {
  const rules = compileRules(the5ers100k(), 0);
  const floorAt = (sod: bigint) => fromMinor(dailyFloorOf(rules, openDay(t(START), sod, sod, rules))!);
  assert.equal(floorAt(10_000_010n), "95000.09"); // 5 % of 100,000.10 = 5,000.005 → 5,000.01
  assert.equal(floorAt(10_012_345n), "95117.28"); // 5 % of 100,123.45 = 5,006.1725 → 5,006.17
});

Deno.test("a losing open position breaches right after a reset, with no new trade", () => {
  const plan = ftmo100k();
  const day1 = [
    open("a", "2026-06-01T07:00:00Z"),
    close("a", "4000.00", "2026-06-01T09:00:00Z"),
    open("b", "2026-06-01T10:00:00Z", "NAS100"),
    mark("98500.00", "104000.00", "2026-06-01T21:00:00Z"), // day-1 floor 95,000: fine
  ];
  const scheduled = run(plan, START, [...day1, tick("2026-06-01T22:00:00Z")]);
  assert.equal(scheduled.state.status, "failed");
  const evidence = scheduled.state.breach!;
  assert.deepEqual(
    [evidence.rule, evidence.at, evidence.tradingDay, evidence.floor, evidence.observed, evidence.anchor],
    [
      "daily_loss",
      "2026-06-01T22:00:00.000Z",
      "2026-06-02",
      "99000.00",
      "98500.00",
      { kind: "sod_balance", value: "104000.00" },
    ],
  );
  assert.deepEqual(evidence.cause, { type: "reset", at: "2026-06-01T22:00:00.000Z" });
  assert.deepEqual(evidence.openPositions.map((p) => p.tradeId), ["b"]);

  // Without a scheduler, the next event rolls the reset first: same verdict, same evidence hash.
  const rolled = run(plan, START, [...day1, mark("98400.00", "104000.00", "2026-06-02T07:00:00Z")]);
  assert.deepEqual(rolled.state.breach, evidence);
  assert.equal(rolled.state.equity, 9_840_000n); // the mirror still follows the account
  assert.equal(rolled.verdicts.filter((v) => v.type === "breach").length, 1);
});

Deno.test("profit target: met only with no open positions", () => {
  const plan = ftmo100k({ minTradingDays: 1, dailyLoss: null });
  const { state, verdicts } = run(plan, START, [
    open("a", "2026-06-01T07:00:00Z"),
    open("b", "2026-06-01T07:05:00Z"),
    close("a", "10000.00", "2026-06-01T08:00:00Z"), // balance 110,000 but b is still open
  ]);
  assert.equal(state.status, "active");
  assert.ok(!verdicts.some((v) => v.type === "objective_met" && v.key === "profit_target"));
  const { rules } = run(plan, START, []);
  const below = applyEvent(state, close("b", "-0.01", "2026-06-01T08:10:00Z"), rules);
  assert.equal(below.state.status, "active"); // flat, but 109,999.99
  const done = applyEvents(below.state, [
    open("c", "2026-06-01T09:00:00Z"),
    close("c", "0.01", "2026-06-01T09:10:00Z"),
  ], rules);
  assert.equal(done.state.status, "passed");
  assert.deepEqual(done.verdicts, [
    { type: "objective_met", key: "profit_target", at: "2026-06-01T09:10:00.000Z" },
    { type: "passed", at: "2026-06-01T09:10:00.000Z" },
  ]);
});

Deno.test("min trading days: a day counts when a trade was opened in it, once", () => {
  const { state, verdicts, rules } = run(ftmo100k(), START, [
    open("a", "2026-06-01T07:00:00Z"),
    close("a", "10500.00", "2026-06-01T08:00:00Z"), // target met on day one
    mark("110500.00", "110500.00", "2026-06-02T08:00:00Z"), // a day without a trade does not count
    open("b", "2026-06-03T08:00:00Z"),
    open("b2", "2026-06-03T09:00:00Z"),
    close("b", "0.00", "2026-06-03T10:00:00Z"),
    close("b2", "0.00", "2026-06-03T10:00:00Z"),
    open("c", "2026-06-06T08:00:00Z"),
    close("c", "0.00", "2026-06-06T09:00:00Z"),
  ]);
  assert.equal(state.status, "active");
  assert.deepEqual(state.tradingDays, ["2026-06-01", "2026-06-03", "2026-06-06"]);
  assert.ok(verdicts.some((v) => v.type === "objective_met" && v.key === "profit_target"));

  const fourth = applyEvent(state, open("d", "2026-06-08T07:00:00Z"), rules);
  assert.equal(fourth.state.status, "active"); // four days, but d is open
  assert.deepEqual(fourth.verdicts.map((v) => v.type), ["objective_met"]);
  const passed = applyEvent(fourth.state, close("d", "0.00", "2026-06-08T08:00:00Z"), rules);
  assert.equal(passed.state.status, "passed");
  assert.deepEqual(
    objectives(passed.state, rules, t("2026-06-08T08:00:00Z")).map((o) => [o.key, o.status]),
    [["profit_target", "met"], ["daily_loss", "ok"], ["max_loss", "ok"], ["min_trading_days", "met"]],
  );
});

Deno.test("best-day consistency delays the pass until the best day is at most 50 % of the profit", () => {
  const plan = planWith({ profitTarget: { percent: "10" }, minTradingDays: 3, bestDayMaxPercent: "50" });
  const days = [["01", "8000.00"], ["02", "1000.00"], ["03", "1000.00"]].flatMap(([d, pnl]) => [
    open(d, `2026-06-${d}T07:00:00Z`),
    close(d, pnl, `2026-06-${d}T08:00:00Z`),
  ]);
  const { state, rules } = run(plan, START, days);
  assert.equal(state.status, "active");
  const consistency = objectives(state, rules, t("2026-06-03T09:00:00Z")).find((o) =>
    o.key === "consistency"
  );
  assert.deepEqual(consistency, {
    key: "consistency",
    status: "pending",
    required: "50",
    current: "80.00",
    bestDay: "8000.00",
    totalProfit: "10000.00",
  });
  const short = applyEvents(state, [
    open("4", "2026-06-04T07:00:00Z"),
    close("4", "5999.99", "2026-06-04T08:00:00Z"),
  ], rules);
  assert.equal(short.state.status, "active"); // 8,000 / 15,999.99 is just over 50 %
  const exact = applyEvents(state, [
    open("4", "2026-06-04T07:00:00Z"),
    close("4", "6000.00", "2026-06-04T08:00:00Z"),
  ], rules);
  assert.equal(exact.state.status, "passed"); // exactly 50 %
});

Deno.test("time limit: 30 days end at the first reset after 30 × 24 h; elapsed without a pass → failed", () => {
  const plan = ftmo100k({ timeLimitDays: 30 });
  const { state, rules } = run(plan, START, [open("a", "2026-06-01T07:00:00Z")]);
  assert.equal(state.deadlineAt, t("2026-07-01T22:00:00Z")); // Thursday 2 July 00:00 in Prague
  const before = applyEvent(state, tick("2026-07-01T21:59:59.999Z"), rules).state;
  assert.equal(before.status, "active");
  const after = applyEvent(before, tick("2026-07-01T22:00:00Z"), rules).state;
  assert.equal(after.status, "failed");
  assert.deepEqual([after.breach?.rule, after.breach?.deadline, after.breach?.basis], [
    "time_limit",
    "2026-07-01T22:00:00.000Z",
    "time",
  ]);
  assert.equal(objectives(after, rules, t("2026-07-05T00:00:00Z")).at(-1)?.status, "failed");

  const passedInTime = run(ftmo100k({ timeLimitDays: 30, minTradingDays: 1 }), START, [
    open("a", "2026-06-01T07:00:00Z"),
    close("a", "10000.00", "2026-06-01T08:00:00Z"),
    tick("2026-08-01T00:00:00Z"),
  ]);
  assert.equal(passedInTime.state.status, "passed");
});

Deno.test("failed is final: later events update the mirror but never the verdict", () => {
  const { state, rules } = run(ftmo100k(), START, [mark("94000.00", "100000.00", "2026-06-01T07:00:00Z")]);
  assert.equal(state.status, "failed");
  const later = applyEvents(state, [
    mark("120000.00", "120000.00", "2026-06-01T08:00:00Z"),
    tick("2026-06-10T00:00:00Z"),
    open("z", "2026-06-10T01:00:00Z"),
  ], rules);
  assert.equal(later.state.status, "failed");
  assert.deepEqual(later.state.breach, state.breach);
  assert.deepEqual(later.verdicts, []);
  assert.equal(later.state.balance, 12_000_000n);
});

Deno.test("applyEvent rejects events older than the last applied instant and rules of another version", () => {
  const { state, rules } = run(ftmo100k(), START, [tick("2026-06-03T00:00:00Z")]);
  assert.throws(() => applyEvent(state, mark("1.00", "1.00", "2026-06-02T21:59:00Z"), rules), /older than/);
  const other = compileRules(ftmo100k({ minTradingDays: 5 }), 0);
  assert.throws(() => applyEvent(state, tick("2026-06-04T00:00:00Z"), other), /rules/);
  // A reset tick with nothing due is a no-op: the same state object.
  assert.equal(applyEvent(state, tick("2026-06-02T23:00:00Z"), rules).state, state);
});
