/**
 * The demo world's connection to the live paths: one account driven as a connector and the scheduler drive a
 * real one — checkout to open it, `applySync` batches for its trading days, `rollAccount` at every reset.
 */
import type { Deps } from "../deps.ts";
import { applySync, type SyncResult } from "../accounts/sync.ts";
import { rollAccount } from "../accounts/scheduler.ts";
import { type AccountSummary, loadSummary } from "../accounts/summary.ts";
import { purchase } from "../commerce/purchase.ts";
import type { PlanDefinition } from "../plans/definition.ts";
import { isLive } from "../engine/state.ts";
import type { SyncEvent } from "../engine/sync_events.ts";
import { fromMinor, percentOf, toMinor } from "../money.ts";
import type { Day } from "./calendar.ts";
import { tradingDayEvents } from "./market.ts";
import type { Market } from "./instruments.ts";
import type { Random } from "./random.ts";

/** The scheduler's grace (startResetScheduler): a reset is rolled two seconds after its boundary. */
export const GRACE_MS = 2_000;

export interface World {
  deps: Deps;
  userId: string;
  /** The demo admin: approves the trader's KYC and payout (staff never decide on their own). */
  staffId: string;
  random: Random;
  market: Market;
  plans: Map<string, { id: string; definition: PlanDefinition }>;
}

/** One account being driven: its id, its summary as the engine last answered, and its trade numbering. */
export interface Driven {
  tag: string;
  id: string;
  summary: AccountSummary;
  trades: number;
}

/** Rolls the resets up to the day, then sends the day's trading as one batch. */
export async function tradeDay(
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

/**
 * The platform the demo trader's connector names (services/accounts/trade_platform.ts), so the demo's account
 * pages show one as a real connector's would.
 */
export const DEMO_PLATFORM = { name: "MetaTrader 5", version: "5.0.4200" };

/** A connector's batch, as the demo-sync route applies it; every event must be applied. */
export async function sync(world: World, account: Driven, events: SyncEvent[]): Promise<SyncResult> {
  const sentAt = new Date(Date.parse(events[events.length - 1].at));
  const result = await applySync(world.deps, account.id, events, sentAt, DEMO_PLATFORM);
  if (result.accepted !== events.length) {
    throw new Error(
      `demo events were refused: ${JSON.stringify(result.results.filter((r) => r.outcome !== "applied"))}`,
    );
  }
  account.summary = result.account;
  return result;
}

/** Every reset of `account` up to `until`, each rolled on its own two seconds after it, as the scheduler does. */
export async function rollThrough(world: World, account: Driven, until: number): Promise<void> {
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
export async function buy(world: World, slug: string, tag: string, at: number): Promise<Driven> {
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

export async function summary(world: World, accountId: string): Promise<AccountSummary> {
  return (await loadSummary(world.deps.db.sql, accountId))!;
}

export function planOf(world: World, slug: string): PlanDefinition {
  const plan = world.plans.get(slug);
  if (!plan) throw new Error(`the demo plan ${slug} is missing`);
  return plan.definition;
}

export function percentOfB0(b0: number, target: PlanDefinition["phases"][number]["profitTarget"]): number {
  if (!target) throw new Error("a demo phase needs a profit target");
  return "percent" in target ? cents(percentOf(fromMinor(BigInt(b0)), target.percent)) : cents(target.amount);
}

/** A decimal money string as integer cents (a safe integer at demo sizes). */
export function cents(amount: string): number {
  return Number(toMinor(amount));
}
