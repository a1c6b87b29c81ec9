import assert from "node:assert/strict";
import fc from "../../tests/deps/fast_check.ts";
import { fromMinor } from "../money.ts";
import { applyEvent, applyEvents } from "./evaluate.ts";
import { compileRules } from "./rules.ts";
import { simulate } from "./simulate.ts";
import {
  type AccountState,
  type EngineEvent,
  initialState,
  stateFromJson,
  stateJsonPatch,
  stateToJson,
} from "./state.ts";
import { FIRM_PLANS, FIRM_PLANS_START } from "./testing.ts";

const PLANS = FIRM_PLANS;
const START = FIRM_PLANS_START;

/** Random but well-formed event streams: trades open and close, marks wander ±12 % around the balance. */
const streamArb = fc.array(
  fc.record({
    // fast-check favours small integers: mix short gaps with overnight ones so streams cross resets and limits.
    gapMinutes: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 600, max: 3 * 1440 })),
    kind: fc.constantFrom("open", "close", "mark", "mark", "reset", "win"),
    cents: fc.integer({ min: -600_000, max: 600_000 }),
  }),
  { minLength: 1, maxLength: 60 },
).map((steps) => {
  let at = START;
  let nextId = 0;
  const open: string[] = [];
  let balance = 0n; // offset from B0, in cents
  const events: EngineEvent[] = [];
  for (const step of steps) {
    at += step.gapMinutes * 60_000;
    if (step.kind === "open") {
      const tradeId = `t${nextId++}`;
      open.push(tradeId);
      events.push({
        type: "trade_open",
        tradeId,
        symbol: "ES",
        direction: "buy",
        volume: "1",
        price: "5000",
        at,
      });
    } else if (step.kind === "close" && open.length > 0) {
      const pnl = BigInt(step.cents) / 4n;
      balance += pnl;
      events.push({ type: "trade_close", tradeId: open.shift()!, price: "5001", pnl: fromMinor(pnl), at });
    } else if (step.kind === "win") {
      // A winning round trip, so streams reach profit targets and passes too.
      const tradeId = `w${nextId++}`;
      events.push({
        type: "trade_open",
        tradeId,
        symbol: "NQ",
        direction: "sell",
        volume: "1",
        price: "20000",
        at,
      });
      balance += 250_000n;
      events.push({ type: "trade_close", tradeId, price: "19990", pnl: "2500.00", at: at + 60_000 });
      at += 60_000;
    } else if (step.kind === "reset") {
      events.push({ type: "reset", at });
    } else {
      events.push({ type: "equity", equity: `${step.cents}`, balance: `${balance}`, at }); // offsets, fixed below
    }
  }
  return events;
});

/** Turns the offsets of `equity` events into absolute money for a plan's B0. */
function forPlan(events: EngineEvent[], b0: bigint): EngineEvent[] {
  return events.map((e) =>
    e.type === "equity"
      ? { ...e, equity: fromMinor(b0 + BigInt(e.equity)), balance: fromMinor(b0 + BigInt(e.balance)) }
      : e
  );
}

const planArb = fc.constantFrom(...Object.keys(PLANS) as (keyof typeof PLANS)[]);

function fold(name: keyof typeof PLANS, raw: EngineEvent[]) {
  const rules = compileRules(PLANS[name], 0);
  const events = forPlan(raw, rules.initialBalance);
  const states: AccountState[] = [initialState(rules, START)];
  for (const e of events) states.push(applyEvent(states.at(-1)!, e, rules).state);
  return { rules, events, states };
}

Deno.test("property: the max floor never moves down; the daily floor is fixed within a trading day", () => {
  fc.assert(
    fc.property(planArb, streamArb, (name, raw) => {
      const { states } = fold(name, raw);
      for (let i = 1; i < states.length; i++) {
        const [a, b] = [states[i - 1], states[i]];
        if (a.maxFloor !== null) assert.ok(b.maxFloor! >= a.maxFloor);
        if (a.day.key === b.day.key) assert.equal(b.dailyFloor, a.dailyFloor);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: failed and passed are absorbing, with unchanged evidence", () => {
  fc.assert(
    fc.property(planArb, streamArb, (name, raw) => {
      const { states } = fold(name, raw);
      const final = states.findIndex((s) => s.status === "failed" || s.status === "passed");
      if (final < 0) return;
      for (const s of states.slice(final)) {
        assert.equal(s.status, states[final].status);
        assert.deepEqual(s.breach, states[final].breach);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: same events twice, or split into any batches with reset ticks between → same state and hash", () => {
  fc.assert(
    fc.property(
      planArb,
      streamArb,
      fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 6 }),
      (name, raw, cuts) => {
        const { rules, events, states } = fold(name, raw);
        const once = states.at(-1)!;
        const again = applyEvents(initialState(rules, START), events, rules).state;
        assert.deepEqual(again, once);

        // Batches, each followed by a scheduler tick at the time of the batch's last event.
        const points = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b);
        let state = initialState(rules, START);
        let from = 0;
        for (const to of [...points, events.length]) {
          const batch = events.slice(from, to);
          state = applyEvents(state, batch, rules).state;
          if (batch.length > 0) {
            state = applyEvent(state, { type: "reset", at: batch.at(-1)!.at }, rules).state;
          }
          from = to;
        }
        assert.deepEqual(state, once);
        assert.equal(state.breach?.inputsHash, once.breach?.inputsHash);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("property: simulate equals folding applyEvent; states survive their JSON form", () => {
  fc.assert(
    fc.property(planArb, streamArb, (name, raw) => {
      const { events, states } = fold(name, raw);
      const sim = simulate(PLANS[name], 0, START, events);
      assert.deepEqual(sim.state, states.at(-1));
      assert.deepEqual(sim.breach, states.at(-1)!.breach);
      const last = states.at(-1)!;
      assert.deepEqual(stateFromJson(JSON.parse(JSON.stringify(stateToJson(last)))), last);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: a state's JSON patch over the previous state's JSON gives its own JSON (the mark writer's jsonb ||)", () => {
  fc.assert(
    fc.property(planArb, streamArb, (name, raw) => {
      const { rules, states } = fold(name, raw);
      const all = [initialState(rules, START), ...states];
      // Each step, and a jump over the whole stream (nothing shared but what never changes).
      const pairs = [...all.slice(1).map((s, i) => [all[i], s]), [all[0], all.at(-1)!]];
      for (const [before, after] of pairs) {
        const patch = stateJsonPatch(before, after);
        assert.ok(patch !== null);
        // Through JSON, as the database holds them: the patch's keys replace the stored ones.
        const stored = JSON.parse(JSON.stringify(stateToJson(before)));
        const merged = { ...stored, ...JSON.parse(JSON.stringify(patch)) };
        assert.deepEqual(merged, JSON.parse(JSON.stringify(stateToJson(after))));
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("a mark's JSON patch holds only the figures it moved; a key added or dropped gives no patch", () => {
  const rules = compileRules(PLANS.ftmo, 0);
  const start = initialState(rules, START);
  const after =
    applyEvent(start, { type: "equity", equity: "100500.00", balance: "100000.00", at: START + 1000 }, rules)
      .state;
  assert.deepEqual(Object.keys(stateJsonPatch(start, after)!).sort(), [
    "equity",
    "highestEquity",
    "lastEventAt",
    "version",
  ]);
  assert.equal(stateJsonPatch(start, { ...after, extra: 1 } as AccountState), null);
  const { breach: _, ...dropped } = after;
  assert.equal(stateJsonPatch(start, dropped as AccountState), null);
});
