/**
 * The demo trader's world, made the way a real trader's is: challenges bought through checkout (the demo
 * payment provider), every trade, mark and close fed to the engine's live sync path (`applySync`), every
 * daily reset rolled by the scheduler's `rollAccount` at its boundary, the phases passed and the failure
 * decided by the engine. Nothing here writes a balance, a trade or a verdict itself.
 *
 * Three stories, all ending at `now`:
 * - Two-Step 100K: phase 1 and 2 passed, KYC approved, then ~40 trading days funded up to today, one payout
 *   paid about four weeks ago (payout.ts) and, at `now`, eligible for the next;
 * - Two-Step 50K: phase 1 passed, phase 2 in progress (a position open when today's session is running);
 * - One-Step 25K (New York 17:00 day): failed on a daily-loss breach about two weeks ago, with its evidence.
 *
 * Deterministic: the same `seed` and `now` give the same events, so the same trades, figures and evidence
 * hashes (the rule version in evidence is the plan version id, which the seed derives from the plan's slug).
 */
import type { Deps } from "../deps.ts";
import { activateFundedAccount } from "../accounts/activate.ts";
import { listActivePlans } from "../plans/queries.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import { type Day, daysBefore, recentDays } from "./calendar.ts";
import { breachEvents, tradePnls } from "./market.ts";
import { Market } from "./instruments.ts";
import { seededRandom } from "./random.ts";
import { approveKyc, demoPayoutAmount, payOut } from "./payout.ts";
import {
  buy,
  cents,
  type Driven,
  GRACE_MS,
  percentOfB0,
  planOf,
  rollThrough,
  summary,
  sync,
  tradeDay,
  type World,
} from "./driver.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DemoWorld {
  fundedAccountId: string;
  phaseTwoAccountId: string;
  failedAccountId: string;
}

/**
 * Builds the three stories for `userId`. `deps.db` must be the seed's transaction (see seed.ts), so a
 * failure leaves nothing half made.
 */
export async function buildDemoWorld(
  deps: Deps,
  userId: string,
  opts: { now: Date; seed: string; staffId: string },
): Promise<DemoWorld> {
  const now = +opts.now;
  const random = seededRandom(opts.seed);
  const plans = new Map(
    (await listActivePlans(deps.db.sql)).map((p) => [p.slug, { id: p.id, definition: p.definition }]),
  );
  // Before the oldest story (~11 weeks): the market walks from there.
  const world: World = {
    deps,
    userId,
    staffId: opts.staffId,
    random,
    plans,
    market: new Market(random.fork("market"), now - 120 * 24 * HOUR),
  };
  return {
    fundedAccountId: await fundedStory(world, now),
    phaseTwoAccountId: await phaseTwoStory(world, now),
    failedAccountId: await failedStory(world, now),
  };
}

async function fundedStory(world: World, now: number): Promise<string> {
  const plan = planOf(world, "two-step-100k");
  const funded = recentDays(plan.reset, now, 40);
  // One weekday between the pass and the first funded day: the KYC check.
  const phaseTwo = daysBefore(funded[0], plan.reset, 5, 1);
  const phaseOne = daysBefore(phaseTwo[0], plan.reset, 6);
  const first = await buy(world, "two-step-100k", "a1", phaseOne[0].opensAt + 7 * HOUR);
  const secondId = await passPhase(world, first, phaseOne, plan.phases[0].profitTarget);
  const second: Driven = { tag: "a2", id: secondId, summary: await summary(world, secondId), trades: 0 };
  const fundedId = await passPhase(world, second, phaseTwo, plan.phases[1].profitTarget);
  // KYC submitted after the pass; the demo admin's approval activates the funded account (the hook KYC
  // approval calls), so the readiness panel shows identity verified.
  const activatedAt = funded[0].opensAt + 6 * HOUR;
  await approveKyc(world, phaseTwo.at(-1)!.to + HOUR, activatedAt);
  const activated = await world.deps.db.tx((tx) =>
    activateFundedAccount(tx, fundedId, new Date(activatedAt))
  );
  const account: Driven = { tag: "f", id: fundedId, summary: activated.account, trades: 0 };
  const funding = plan.funded;
  let paid = false;
  for (const [i, day] of funded.entries()) {
    const r = world.random.fork(`f/${day.key}/plan`);
    const b0 = cents(account.summary.initialBalance);
    // ~62 % winning days, a gentle edge: about +7 % over 40 days. A trader behind that pace (0.1 % a day)
    // wins more often, so whatever the dates the funded account is one a demo visitor wants to open — and
    // after the payout it earns its way back, so the next one is due at the end.
    const behind = cents(account.summary.balance) - b0 < (b0 * i) / 1000;
    const total = b0 * (r.chance(behind ? 0.72 : 0.6) ? r.between(0.1, 0.9) : -r.between(0.1, 0.65)) / 100;
    const pnls = tradePnls(r, Math.round(total), r.int(2, 5), b0 * 0.0035);
    // Positions are closed at the end of every session (also today's): the account is ready for its next
    // payout at `now`; the open position of today's session is the phase-2 account's.
    await tradeDay(world, account, day, pnls);
    // The first payout, about four weeks ago, once the session closed flat with 1 % profit or more (the
    // plan's interval since the first funded trade passed long before): requested that evening, approved and
    // paid before the next session.
    const profit = cents(account.summary.balance) - b0;
    const window = day.to >= now - 30 * DAY && day.to <= now - 20 * DAY;
    if (
      !paid && window && profit >= b0 / 100 && day.to - funded[0].from >= funding.payoutIntervalDays * DAY
    ) {
      const next = funded[i + 1];
      const amount = demoPayoutAmount(
        profit,
        funding.profitSplitPercent,
        world.deps.config.payoutFourEyesAbove,
      );
      await payOut(world, account, amount, {
        requestedAt: day.to + HOUR / 2,
        approvedAt: next.from - 2 * HOUR,
        paidAt: next.from - HOUR,
      });
      paid = true;
    }
  }
  if (!paid) throw new Error("the demo funded account never had the profit for its payout");
  await rollThrough(world, account, now - GRACE_MS);
  return account.id;
}

async function phaseTwoStory(world: World, now: number): Promise<string> {
  const plan = planOf(world, "two-step-50k");
  const phaseTwo = recentDays(plan.reset, now, 6);
  const phaseOne = daysBefore(phaseTwo[0], plan.reset, 5);
  const first = await buy(world, "two-step-50k", "b1", phaseOne[0].opensAt + 7 * HOUR);
  const secondId = await passPhase(world, first, phaseOne, plan.phases[0].profitTarget);
  const account: Driven = { tag: "b2", id: secondId, summary: await summary(world, secondId), trades: 0 };
  const b0 = cents(account.summary.initialBalance);
  const target = percentOfB0(b0, plan.phases[1].profitTarget);
  for (const day of phaseTwo) {
    const r = world.random.fork(`b2/${day.key}/plan`);
    // On the way (about 3 % of the 5 %), never reaching the target: the phase stays in progress.
    const room = target - (cents(account.summary.balance) - b0) - b0 / 100;
    const total = Math.min(room, b0 * (r.chance(0.7) ? r.between(0.2, 1.1) : -r.between(0.1, 0.45)) / 100);
    await tradeDay(
      world,
      account,
      day,
      below(tradePnls(r, Math.round(total), r.int(2, 4), b0 * 0.004), room),
      day.today,
    );
  }
  await rollThrough(world, account, now - GRACE_MS);
  return account.id;
}

async function failedStory(world: World, now: number): Promise<string> {
  const plan = planOf(world, "one-step-25k");
  // Six sessions, the last of them the breach, eight weekdays before today.
  const days = recentDays(plan.reset, now, 14).slice(0, 6);
  const account = await buy(world, "one-step-25k", "c", days[0].opensAt + 8 * HOUR);
  const b0 = cents(account.summary.initialBalance);
  for (const day of days.slice(0, -1)) {
    const r = world.random.fork(`c/${day.key}/plan`);
    const total = b0 * (r.chance(0.55) ? r.between(0.1, 0.8) : -r.between(0.1, 0.6)) / 100;
    await tradeDay(world, account, day, tradePnls(r, Math.round(total), r.int(2, 4), b0 * 0.004));
  }
  const day = days.at(-1)!;
  await rollThrough(world, account, day.opensAt);
  const s = account.summary;
  const { events } = breachEvents({
    random: world.random.fork(`c/${day.key}`),
    market: world.market,
    dayKey: day.key,
    from: day.from,
    to: day.to,
    balance: cents(s.balance),
    floor: cents(s.dailyFloor!),
    maxFloor: s.maxFloor === null ? null : cents(s.maxFloor),
    scale: b0 / 100_000_00,
    eventId: (n) => `demo-c-${day.key}-${n}`,
    tradeId: () => `C-${1001 + account.trades++}`,
  });
  const result = await sync(world, account, events);
  if (result.breaches[0]?.rule !== "daily_loss" || account.summary.status !== "failed") {
    throw new Error(
      `the demo breach day did not fail the account on daily loss: ${JSON.stringify(result.breaches)}`,
    );
  }
  return account.id;
}

/** Trades a phase to its pass on its last day: under the target before, over it with the last close. */
async function passPhase(
  world: World,
  account: Driven,
  days: readonly Day[],
  target: PlanDefinition["phases"][number]["profitTarget"],
): Promise<string> {
  const b0 = cents(account.summary.initialBalance);
  const goal = percentOfB0(b0, target);
  for (const [i, day] of days.entries()) {
    const r = world.random.fork(`${account.tag}/${day.key}/plan`);
    const remaining = goal - (cents(account.summary.balance) - b0);
    const unit = b0 * 0.004;
    let pnls: number[];
    if (i < days.length - 1) {
      const room = remaining - b0 * 0.004;
      const mean = remaining / (days.length - i);
      const drawn = r.chance(0.75) ? mean * r.between(0.5, 1.6) : -mean * r.between(0.2, 0.6);
      const total = Math.min(drawn, remaining - b0 / 100);
      pnls = below(tradePnls(r, Math.round(total), r.int(2, 4), unit), room);
    } else {
      // The last close crosses the target (with a margin for ticks), everything before it stays under.
      const count = r.int(2, 4);
      const lead = tradePnls(r, Math.round(remaining * 0.3), count - 1, unit).sort((a, b) => a - b);
      const lastPnl = remaining + Math.round(b0 * 0.0025) - lead.reduce((a, b) => a + b, 0);
      pnls = [...lead, lastPnl];
    }
    const result = await tradeDay(world, account, day, pnls);
    if ((i === days.length - 1) !== (result.next !== null)) {
      throw new Error(
        `demo phase ${account.tag}: expected ${i === days.length - 1 ? "a pass" : "no pass"} on ${day.key}`,
      );
    }
    if (result.next) return result.next.accountId;
  }
  throw new Error("unreachable");
}

/** `pnls` reordered so that no running total reaches `room` (losses first) when the given order would. */
function below(pnls: number[], room: number): number[] {
  let sum = 0;
  for (const pnl of pnls) if ((sum += pnl) >= room) return [...pnls].sort((a, b) => a - b);
  return pnls;
}
