/**
 * Reading accounts and challenges as a given user: the owner, or staff allowed to read any account. Anyone
 * else gets the same 404 as for an id that does not exist, so ids cannot be probed; a refused read of a row
 * that does exist is an authorization failure and is audited (DESIGN §6).
 */
import type { Sql } from "../../db/client.ts";
import { NotFound } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { can, type Role } from "../auth/roles.ts";
import type { BreachEvidence } from "../engine/state.ts";
import {
  ACCOUNT_COLUMNS,
  accountColumns,
  type AccountRow,
  type AccountSummary,
  summaryOf,
} from "./summary.ts";
import { isUuid } from "../../lib/validation.ts";
import type { TradeSource } from "../venue/trade_json.ts";
import { platformOf, type TradePlatform } from "./trade_platform.ts";

/** Who reads, and from where (for the audit entry of a refusal). */
export type Reader = { id: string; role: Role; actor?: Actor };

/** Throws NotFound unless `user` may read the row `target` owned by `ownerId` (undefined: no such row). */
async function assertReadable(
  sql: Sql,
  user: Reader,
  ownerId: string | undefined,
  target: { type: "account" | "challenge"; id: string },
): Promise<void> {
  // The same words for a missing row and another's: the message must not tell them apart either.
  const notFound = new NotFound(`No such ${target.type}.`);
  if (ownerId === undefined) throw notFound;
  if (ownerId === user.id || can(user, "accounts.read_any")) return;
  await recordAudit(sql, user.actor ?? { userId: user.id, ip: null, userAgent: null }, "authz.denied", {
    ...target,
    details: { reason: "not_owner" },
  });
  throw notFound;
}

/** The summary of an account `user` may read; 404 otherwise (a malformed id names nothing either). */
export async function findReadableAccount(
  sql: Sql,
  user: Reader,
  accountId: string,
): Promise<AccountSummary> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const [row] = await sql<AccountRow[]>`
    select ${accountColumns(sql)} from accounts where id = ${accountId}`;
  await assertReadable(sql, user, row?.user_id, { type: "account", id: accountId });
  return summaryOf(row);
}

/** An account of the caller's, with the names of the plan and phase it was bought under. */
export interface OwnAccount extends AccountSummary {
  /** The plan's name (null for a demo account, which has no plan). */
  planName: string | null;
  /** The plan's own name for the account's phase, e.g. "Verification" (null for funded and demo accounts). */
  phaseName: string | null;
  /**
   * Who trades it: the built-in venue or an outside platform's connector (null until its first trade fixes
   * it; services/accounts/trade_source.ts).
   */
  tradeSource: TradeSource | null;
  /** The platform a connector's account is traded on, as its connector named it (null: not named). */
  tradePlatform: TradePlatform | null;
}

/** The caller's own accounts, newest first, at most `limit` (the seed's `GET /api/users/accounts`). */
export async function listOwnAccounts(sql: Sql, userId: string, limit?: number): Promise<OwnAccount[]> {
  const rows = await sql<
    (AccountRow & {
      plan_name: string | null;
      phase_name: string | null;
      trade_source: TradeSource | null;
      trade_platform: string | null;
      trade_platform_version: string | null;
    })[]
  >`
    select ${sql(ACCOUNT_COLUMNS.map((c) => `a.${c}`))}, a.trade_source, a.trade_platform,
           a.trade_platform_version,
           v.definition ->> 'name' as plan_name,
           v.definition -> 'phases' -> (a.phase - 1) ->> 'name' as phase_name
    from accounts a
    left join plan_versions v on v.id = a.plan_version_id
    where a.user_id = ${userId}
    order by a.created_at desc, a.id
    limit ${limit ?? null}`;
  return rows.map((row) => ({
    ...summaryOf(row),
    planName: row.plan_name,
    phaseName: row.phase_name,
    tradeSource: row.trade_source,
    tradePlatform: platformOf(row),
  }));
}

interface BreachRecord {
  /** Evidence of the breach that failed the account, while it stands (null once reinstated, or never). */
  breach: BreachEvidence | null;
  /** Every breach and pause recorded for the account, newest first (reinstated ones included). */
  history: BreachEvidence[];
}

/** The breach evidence of an account `user` may read (see `BreachRecord`); 404 otherwise. */
export async function loadBreaches(sql: Sql, user: Reader, accountId: string): Promise<BreachRecord> {
  if (!isUuid(accountId)) throw new NotFound("No such account.");
  const [account] = await sql<{ user_id: string; breach: BreachEvidence | null }[]>`
    select user_id, engine_state -> 'breach' as breach from accounts where id = ${accountId}`;
  await assertReadable(sql, user, account?.user_id, { type: "account", id: accountId });
  const rows = await sql<{ evidence: BreachEvidence }[]>`
    select evidence from breaches where account_id = ${accountId}
    order by at desc, created_at desc limit 100`;
  return { breach: account.breach ?? null, history: rows.map((r) => r.evidence) };
}

interface ReadableChallenge {
  id: string;
  userId: string;
  status: string;
  currentPhase: number;
  planVersionId: string;
}

/** A challenge `user` may read; 404 otherwise. */
export async function findReadableChallenge(
  sql: Sql,
  user: Reader,
  challengeId: string,
): Promise<ReadableChallenge> {
  if (!isUuid(challengeId)) throw new NotFound("No such challenge.");
  const [row] = await sql<
    { id: string; user_id: string; status: string; current_phase: number; plan_version_id: string }[]
  >`
    select id, user_id, status, current_phase, plan_version_id from challenges where id = ${challengeId}`;
  await assertReadable(sql, user, row?.user_id, { type: "challenge", id: challengeId });
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    currentPhase: row.current_phase,
    planVersionId: row.plan_version_id,
  };
}
