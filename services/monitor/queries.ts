/**
 * What the risk monitor reads from the database: the monitored accounts as rows (with trader, plan and
 * stage), its feed (the latest breaches and pauses, and staff actions on accounts from the audit log), the
 * plans to filter by, and the live accounts' versions (what the hub reconciles its rows against).
 */
import type { Sql } from "../../db/client.ts";
import { stageName } from "../accounts/trader_accounts.ts";
import type { AccountSummary } from "../accounts/summary.ts";
import { isoOrNull } from "../time.ts";
import {
  type BreachItem,
  type FeedItem,
  figuresOf,
  type MonitorRow,
  type MonitorStatus,
  newestFirst,
  type StaffAction,
  type StaffActionItem,
} from "./row.ts";

interface RowRecord {
  id: string;
  user_id: string;
  email: string;
  plan_id: string | null;
  plan_name: string | null;
  phase_name: string | null;
  type: AccountSummary["type"];
  phase: number | null;
  status: MonitorStatus;
  currency: string;
  initial_balance: string;
  equity: string;
  daily_floor: string | null;
  max_floor: string | null;
  sod_balance: string | null;
  last_event_at: Date | null;
  next_reset_at: Date | null;
  state_version: number;
}

/** A row and when its account's trading day closes (a new day moves today's P&L base: the hub re-reads). */
export interface MonitorEntry {
  row: MonitorRow;
  nextResetAt: string | null;
}

/**
 * Rows of the live (active and paused) accounts, or of the accounts `ids` whatever their status (the hub
 * reloads changed accounts by id: one that just failed must reach the monitor to drop off it).
 */
export async function loadMonitorRows(
  sql: Sql,
  opts: { ids?: string[]; email?: string } = {},
): Promise<MonitorRow[]> {
  return (await loadMonitorEntries(sql, opts)).map((e) => e.row);
}

/** `loadMonitorRows` with each account's next reset. */
export async function loadMonitorEntries(
  sql: Sql,
  opts: { ids?: string[]; email?: string } = {},
): Promise<MonitorEntry[]> {
  const { ids, email } = opts;
  const rows = await sql<RowRecord[]>`
    select a.id, a.user_id, u.email, v.plan_id, v.definition ->> 'name' as plan_name,
           v.definition -> 'phases' -> (a.phase - 1) ->> 'name' as phase_name,
           a.type, a.phase, a.status, a.currency, a.initial_balance, a.equity, a.daily_floor, a.max_floor,
           a.engine_state -> 'day' ->> 'sodBalance' as sod_balance, e.at as last_event_at, a.next_reset_at,
           a.state_version
    from accounts a
    join users u on u.id = a.user_id
    left join plan_versions v on v.id = a.plan_version_id
    -- The last event its trading produced (MonitorRow.lastEventAt), not accounts.last_event_at: that is the
    -- engine's latest instant, which each rolled reset moves (a paused account showed its last midnight).
    left join lateral (
      select x.at from account_events x
      where x.account_id = a.id and x.type in ('trade_open', 'trade_close', 'equity')
      order by x.at desc limit 1) e on true
    where ${ids ? sql`a.id = any(${ids}::uuid[])` : sql`a.status in ('active', 'paused')`}
      ${email ? sql`and lower(u.email) like ${`%${escapeLike(email.toLowerCase())}%`}` : sql``}`;
  return rows.map((r) => ({ row: rowOf(r), nextResetAt: isoOrNull(r.next_reset_at) }));
}

function rowOf(r: RowRecord): MonitorRow {
  return {
    id: r.id,
    userId: r.user_id,
    email: r.email,
    plan: r.plan_name,
    planId: r.plan_id,
    stage: stageName(r.type, r.phase, r.phase_name),
    stageKey: r.type === "challenge" ? String(r.phase) : r.type,
    status: r.status,
    currency: r.currency,
    initialBalance: r.initial_balance,
    equity: r.equity,
    lastEventAt: isoOrNull(r.last_event_at),
    version: r.state_version,
    ...figuresOf({
      equity: r.equity,
      dailyFloor: r.daily_floor,
      maxFloor: r.max_floor,
      initialBalance: r.initial_balance,
      sodBalance: r.sod_balance,
    }),
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The latest breaches and pauses of any account, newest first. */
export async function latestBreaches(sql: Sql, limit = 20): Promise<BreachItem[]> {
  const rows = await sql<
    {
      account_id: string;
      email: string;
      rule: BreachItem["rule"];
      action: BreachItem["action"];
      at: Date;
      floor: string | null;
      observed: string;
      currency: string;
    }[]
  >`
    select b.account_id, u.email, b.rule, b.action, b.at, b.evidence ->> 'floor' as floor,
           b.evidence ->> 'observed' as observed, a.currency
    from breaches b
    join accounts a on a.id = b.account_id
    join users u on u.id = a.user_id
    order by b.at desc, b.created_at desc
    limit ${limit}`;
  return rows.map((r) => ({
    kind: "breach" as const,
    accountId: r.account_id,
    email: r.email,
    rule: r.rule,
    action: r.action,
    at: r.at.toISOString(),
    floor: r.floor,
    observed: r.observed,
    currency: r.currency,
  }));
}

/** The audit actions of staff on accounts (services/accounts/admin.ts) the feed lists, and its words for them. */
const STAFF_ACTIONS: Record<string, StaffAction> = {
  "admin.account_paused": "paused",
  "admin.account_reinstated": "reinstated",
  "admin.account_closed": "closed",
};

/**
 * Staff actions on accounts, newest first: the latest `limit`, or those that made the given account changes
 * (an action's audit entry records the state version it wrote: what the hub looks up on a staff change).
 */
export async function staffActions(
  sql: Sql,
  opts: { limit: number } | { changes: { accountId: string; stateVersion: number }[] },
): Promise<StaffActionItem[]> {
  const actions = Object.keys(STAFF_ACTIONS);
  const changes = "changes" in opts ? opts.changes : null;
  if (changes?.length === 0) return [];
  const rows = await sql<
    {
      account_id: string;
      email: string;
      action: string;
      from: string | null;
      at: Date;
      actor: string | null;
      reason: string | null;
    }[]
  >`
    with l as materialized (
      select id, at, actor_id, action, target_id, details from audit_log
      where action = any(${actions}::text[]) and target_type = 'account'
        ${
    changes
      ? sql`and target_id = any(${changes.map((c) => c.accountId)}::text[])
            and (target_id, details ->> 'stateVersion') in (
              select * from unnest(${changes.map((c) => c.accountId)}::text[],
                                   ${changes.map((c) => String(c.stateVersion))}::text[]))`
      : sql``
  }
      order by at desc, id desc
      ${changes ? sql`` : sql`limit ${"limit" in opts ? opts.limit : 0}`}
    )
    select l.target_id as account_id, u.email, l.action, l.details ->> 'from' as from, l.at,
           s.email as actor, l.details ->> 'reason' as reason
    from l
    join accounts a on a.id = l.target_id::uuid
    join users u on u.id = a.user_id
    left join users s on s.id = l.actor_id
    order by l.at desc, l.id desc`;
  return rows.map((r) => ({
    kind: "staff",
    accountId: r.account_id,
    email: r.email,
    action: STAFF_ACTIONS[r.action],
    from: r.action === "admin.account_reinstated" && (r.from === "paused" || r.from === "failed")
      ? r.from
      : null,
    at: r.at.toISOString(),
    actor: r.actor,
    reason: r.reason,
  }));
}

/** The monitor's feed: the latest breaches, pauses and staff actions on accounts, newest first. */
export async function latestFeed(sql: Sql, limit = 20): Promise<FeedItem[]> {
  const [breaches, staff] = await Promise.all([latestBreaches(sql, limit), staffActions(sql, { limit })]);
  return newestFirst([...breaches, ...staff], limit);
}

/** Plans that have at least one live account (the monitor's plan filter). */
export async function monitoredPlans(sql: Sql): Promise<{ id: string; name: string }[]> {
  return await sql<{ id: string; name: string }[]>`
    select p.id, p.name from plans p
    where exists (
      select 1 from plan_versions v join accounts a on a.plan_version_id = v.id
      where v.plan_id = p.id and a.status in ('active', 'paused'))
    order by p.name`;
}

/** Id and state version of every live account. */
export async function liveVersions(sql: Sql): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; state_version: number }[]>`
    select id, state_version from accounts where status in ('active', 'paused')`;
  return new Map(rows.map((r) => [r.id, r.state_version]));
}
