/**
 * Live progress equals the simulator: random event streams, synced in random batches with scheduler ticks
 * between them, leave an account whose progress (objectives, status, breach facts) is what `simulate` says
 * for the same events. Rule versions differ by construction (the live path names the plan version), so the
 * evidence is compared without `ruleVersion` and `inputsHash`.
 */
import assert from "node:assert/strict";
import fc from "./deps/fast_check.ts";
import { openTestDb } from "./helpers/db.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { newUser } from "./helpers/sync_accounts.ts";
import { MemoryBus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { rollAccount } from "../services/accounts/scheduler.ts";
import { loadAccountView } from "../services/accounts/view.ts";
import { simulate } from "../services/engine/simulate.ts";
import { type SyncEvent, toEngineEvent } from "../services/engine/sync_events.ts";
import { fromMinor } from "../services/money.ts";
import { FIRM_PLANS, FIRM_PLANS_START } from "../services/engine/testing.ts";

const PLANS = FIRM_PLANS;
const START = FIRM_PLANS_START;

type Step = { kind: "batch"; events: SyncEvent[] } | { kind: "tick"; at: number };

/** Steps of sync batches and scheduler ticks; equity offsets are made absolute per plan. */
const streamArb = fc.array(
  fc.record({
    gapMinutes: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 600, max: 3 * 1440 })),
    kind: fc.constantFrom("open", "close", "mark", "mark", "win", "tick", "cut"),
    cents: fc.integer({ min: -600_000, max: 600_000 }),
  }),
  { minLength: 1, maxLength: 40 },
);

type Raw = { gapMinutes: number; kind: string; cents: number }[];

function build(raw: Raw, b0: bigint): { steps: Step[]; events: SyncEvent[] } {
  let at = START;
  let n = 0;
  const open: string[] = [];
  let balance = b0;
  const events: SyncEvent[] = [];
  const steps: Step[] = [];
  let batch: SyncEvent[] = [];
  const iso = (t: number) => new Date(t).toISOString();
  const push = (e: SyncEvent) => {
    events.push(e);
    batch.push(e);
  };
  const flush = () => {
    if (batch.length) steps.push({ kind: "batch", events: batch });
    batch = [];
  };
  for (const step of raw) {
    at += step.gapMinutes * 60_000;
    const id = `e${n++}`;
    const trade = { symbol: "ES", direction: "buy" as const, volume: "1", price: "5000" };
    if (step.kind === "open") {
      open.push(`t${n}`);
      push({ id, type: "trade_open", at: iso(at), tradeId: `t${n}`, ...trade });
    } else if (step.kind === "close" && open.length > 0) {
      const pnl = BigInt(step.cents) / 4n;
      balance += pnl;
      push({
        id,
        type: "trade_close",
        at: iso(at),
        tradeId: open.shift()!,
        price: "5001",
        pnl: fromMinor(pnl),
      });
    } else if (step.kind === "win") {
      push({ id, type: "trade_open", at: iso(at), tradeId: `w${n}`, ...trade });
      at += 60_000;
      balance += 250_000n;
      push({
        id: `${id}c`,
        type: "trade_close",
        at: iso(at),
        tradeId: `w${n}`,
        price: "5010",
        pnl: "2500.00",
      });
    } else if (step.kind === "tick") {
      flush();
      steps.push({ kind: "tick", at });
    } else if (step.kind === "cut") {
      flush();
    } else {
      const equity = fromMinor(b0 + BigInt(step.cents));
      push({ id, type: "equity", at: iso(at), equity, balance: fromMinor(balance) });
    }
  }
  flush();
  return { steps, events };
}

const withoutVersion = (breach: Record<string, unknown> | null) => {
  if (!breach) return null;
  const { ruleVersion: _v, inputsHash: _h, ...rest } = breach;
  return rest;
};

Deno.test("property: live progress after random batches and ticks equals simulate() of the same events", async () => {
  const db = await openTestDb();
  const bus = new MemoryBus();
  const deps = { db, bus };
  try {
    const userId = await newUser(db);
    const planArb = fc.constantFrom(...Object.keys(PLANS) as (keyof typeof PLANS)[]);
    await fc.assert(
      fc.asyncProperty(planArb, streamArb, async (name, raw) => {
        const plan = PLANS[name];
        const { accountId } = await openTestAccount(db, userId, { plan, at: new Date(START) });
        const { steps, events } = build(raw, BigInt(plan.initialBalance.replace(".", "")));
        for (const step of steps) {
          if (step.kind === "batch") await applySync(deps, accountId, step.events);
          else await rollAccount(deps, accountId, new Date(step.at));
        }
        // The last tick may roll resets after the last event: the simulator advances to the same instant.
        const until = Math.max(
          START,
          ...steps.map((s) => s.kind === "tick" ? s.at : Date.parse(s.events.at(-1)!.at)),
        );
        const sim = simulate(plan, 0, START, events.map(toEngineEvent), until);
        const view = await loadAccountView(db.sql, accountId, new Date(until));
        assert.ok(view);
        assert.equal(view.account.status, sim.status);
        assert.deepEqual(view.objectives, sim.objectives);
        assert.deepEqual(withoutVersion(view.breach as never), withoutVersion(sim.breach as never));
      }),
      { numRuns: 80 },
    );
  } finally {
    await bus.close();
    await db.close();
  }
});
