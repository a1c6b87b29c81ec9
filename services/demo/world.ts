/**
 * The demo trader's world, made the way a real trader's is: challenges bought through checkout (the demo
 * payment provider), every trade, mark and close fed to the engine's live sync path (`applySync`), every
 * daily reset rolled by the scheduler's `rollAccount` at its boundary, the phases passed and the failure
 * decided by the engine. Nothing here writes a balance, a trade or a verdict itself.
 *
 * Three stories, all ending at `now`:
 * - Two-Step 100K: phase 1 and 2 passed, then ~40 trading days funded (up to today, a position open when
 *   today's session is still running);
 * - Two-Step 50K: phase 1 passed, phase 2 in progress;
 * - One-Step 25K (New York 17:00 day): failed on a daily-loss breach about two weeks ago, with its evidence.
 *
 * Deterministic: the same `seed` and `now` give the same events, so the same trades, figures and evidence
 * hashes (the rule version in evidence is the plan version id, which the seed derives from the plan's slug).
 */
import type { Deps } from "../deps.ts";
import { applySync, type SyncResult } from "../accounts/sync.ts";
import { rollAccount } from "../accounts/scheduler.ts";
import { activateFundedAccount } from "../accounts/activate.ts";
import { type AccountSummary, loadSummary } from "../accounts/summary.ts";
import { purchase } from "../commerce/purchase.ts";
import { listActivePlans } from "../plans/queries.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import { isLive } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { fromMinor, percentOf, toMinor } from "../money.ts";
import { type Day, daysBefore, recentDays } from "./calendar.ts";
import { breachEvents, Market, tradePnls, tradingDayEvents } from "./market.ts";
import { type Random, seededRandom } from "./random.ts";

/** The scheduler's grace (startResetScheduler): a reset is rolled two seconds after its boundary. */
const GRACE_MS = 2_000;
const HOUR = 3_600_000;

export interface DemoWorld {
  fundedAccountId: string;
  phaseTwoAccountId: string;
  failedAccountId: string;
}

interface World {
  deps: Deps;
  userId: string;
  random: Random;
  market: Market;
  plans: Map<string, { id: string; definition: PlanDefinition }>;
}

/** One account being driven: its id, its summary as the engine last answered, and its trade numbering. */
interface Driven {
  tag: string;
  id: string;
  summary: AccountSummary;
  trades: number;
}

/**
 * Builds the three stories for `userId`. `deps.db` must be the seed's transaction (see seed.ts), so a
 * failure leaves nothing half made.
 */
export async function buildDemoWorld(
  deps: Deps,
  userId: string,
  opts: { now: Date; seed: string },
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
  // No KYC yet: its issue will activate funded accounts on approval, through this same hook.
  const activated = await world.deps.db.tx((tx) =>
    activateFundedAccount(tx, fundedId, new Date(funded[0].opensAt + 6 * HOUR))
  );
  const account: Driven = { tag: "f", id: fundedId, summary: activated.account, trades: 0 };
  for (const day of funded) {
    const r = world.random.fork(`f/${day.key}/plan`);
    const b0 = cents(account.summary.initialBalance);
    // ~62 % winning days, a gentle edge: about +7 % over 40 days.
    const total = b0 * (r.chance(0.62) ? r.between(0.1, 0.9) : -r.between(0.1, 0.65)) / 100;
    const pnls = tradePnls(r, Math.round(total), r.int(2, 5), b0 * 0.0035);
    await tradeDay(world, account, day, pnls, day.today);
  }
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

/** Rolls the resets up to the day, then sends the day's trading as one batch. */
async function tradeDay(
  world: World,
  account: Driven,
  day: Day,
  pnls: readonly number[],
  leaveOpen = false,
): Promise<SyncResult> {
  await rollThrough(world, account, day.opensAt);
  const s = account.summary;
  const b0 = cents(s.initialBalance);
  const floors = [s.dailyFloor, s.maxFloor].filter((f): f is string => f !== null).map(cents);
  const { events } = tradingDayEvents({
    random: world.random.fork(`${account.tag}/${day.key}`),
    market: world.market,
    dayKey: day.key,
    from: day.from,
    to: day.to,
    balance: cents(s.balance),
    scale: b0 / 100_000_00,
    pnls,
    // Well clear of the floors: a demo account that breaches by accident would tell a wrong story.
    safety: Math.max(...floors) + Math.round(b0 * 0.006),
    eventId: (n) => `demo-${account.tag}-${day.key}-${n}`,
    tradeId: () => `${account.tag.toUpperCase()}-${1001 + account.trades++}`,
    leaveOpen,
  });
  return await sync(world, account, events);
}

/** A connector's batch, as the demo-sync route applies it; every event must be applied. */
async function sync(world: World, account: Driven, events: SyncEvent[]): Promise<SyncResult> {
  const sentAt = new Date(Date.parse(events[events.length - 1].at));
  const result = await applySync(world.deps, account.id, events, sentAt);
  if (result.accepted !== events.length) {
    throw new Error(
      `demo events were refused: ${JSON.stringify(result.results.filter((r) => r.outcome !== "applied"))}`,
    );
  }
  account.summary = result.account;
  return result;
}

/** Every reset of `account` up to `until`, each rolled on its own two seconds after it, as the scheduler does. */
async function rollThrough(world: World, account: Driven, until: number): Promise<void> {
  while (isLive(account.summary.status) && account.summary.nextResetAt) {
    const boundary = Date.parse(account.summary.nextResetAt);
    if (boundary > until) return;
    const changes = await rollAccount(world.deps, account.id, new Date(boundary + GRACE_MS), {
      graceMs: GRACE_MS,
    });
    const rolled = changes.find((c) => c.accountId === account.id);
    if (!rolled) throw new Error(`the reset of ${account.summary.nextResetAt} was not rolled`);
    account.summary = rolled.account;
  }
}

/** Buys `slug` through checkout at `at` (the demo provider pays at once) and returns its phase-1 account. */
async function buy(world: World, slug: string, tag: string, at: number): Promise<Driven> {
  const plan = world.plans.get(slug);
  if (!plan) throw new Error(`the demo plan ${slug} is missing`);
  const actor = { userId: world.userId, ip: null, userAgent: "demo seed" };
  const bought = await purchase(world.deps, actor, world.userId, {
    planId: plan.id,
    idempotencyKey: `demo-seed-${slug}`,
  }, new Date(at));
  if (!bought.accountId) throw new Error(`buying ${slug} opened no account (order ${bought.order.status})`);
  return { tag, id: bought.accountId, summary: await summary(world, bought.accountId), trades: 0 };
}

async function summary(world: World, accountId: string): Promise<AccountSummary> {
  return (await loadSummary(world.deps.db.sql, accountId))!;
}

function planOf(world: World, slug: string): PlanDefinition {
  const plan = world.plans.get(slug);
  if (!plan) throw new Error(`the demo plan ${slug} is missing`);
  return plan.definition;
}

function percentOfB0(b0: number, target: PlanDefinition["phases"][number]["profitTarget"]): number {
  if (!target) throw new Error("a demo phase needs a profit target");
  return "percent" in target ? cents(percentOf(fromMinor(BigInt(b0)), target.percent)) : cents(target.amount);
}

/** A decimal money string as integer cents (a safe integer at demo sizes). */
function cents(amount: string): number {
  return Number(toMinor(amount));
}
