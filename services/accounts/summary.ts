/**
 * The public shape of an account (API, SSE, bus; the change messages that carry it are in change_log.ts).
 * Money is decimal strings with 2 places, instants ISO-8601 UTC.
 */
import type { Sql } from "../../db/client.ts";
import { isoOrNull } from "../time.ts";

export type AccountStatus = "pending" | "active" | "paused" | "passed" | "failed" | "pending_kyc" | "closed";

export interface AccountSummary {
  id: string;
  userId: string;
  challengeId: string | null;
  /** 1-based phase of a challenge account; null for funded and demo accounts. */
  phase: number | null;
  type: "challenge" | "funded" | "demo";
  status: AccountStatus;
  currency: string;
  initialBalance: string;
  balance: string;
  equity: string;
  dailyFloor: string | null;
  maxFloor: string | null;
  /** +1 per applied event and rolled reset: the SSE event id. */
  stateVersion: number;
  lastEventAt: string | null;
  nextResetAt: string | null;
  updatedAt: string;
}

/** The columns `summaryOf` reads. */
export const ACCOUNT_COLUMNS = [
  "id",
  "user_id",
  "challenge_id",
  "phase",
  "type",
  "status",
  "currency",
  "initial_balance",
  "balance",
  "equity",
  "daily_floor",
  "max_floor",
  "state_version",
  "last_event_at",
  "next_reset_at",
  "updated_at",
] as const;

/** `ACCOUNT_COLUMNS` as a query fragment: `select ${accountColumns(sql)} from accounts …`. */
export function accountColumns(sql: Sql) {
  return sql(ACCOUNT_COLUMNS as unknown as string[]);
}

/** One `accounts` row with `ACCOUNT_COLUMNS`. */
export interface AccountRow {
  id: string;
  user_id: string;
  challenge_id: string | null;
  phase: number | null;
  type: AccountSummary["type"];
  status: AccountStatus;
  currency: string;
  initial_balance: string;
  balance: string;
  equity: string;
  daily_floor: string | null;
  max_floor: string | null;
  state_version: number;
  last_event_at: Date | null;
  next_reset_at: Date | null;
  updated_at: Date;
}

export function summaryOf(row: AccountRow): AccountSummary {
  return {
    id: row.id,
    userId: row.user_id,
    challengeId: row.challenge_id,
    phase: row.phase,
    type: row.type,
    status: row.status,
    currency: row.currency,
    initialBalance: row.initial_balance,
    balance: row.balance,
    equity: row.equity,
    dailyFloor: row.daily_floor,
    maxFloor: row.max_floor,
    stateVersion: row.state_version,
    lastEventAt: isoOrNull(row.last_event_at),
    nextResetAt: isoOrNull(row.next_reset_at),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** One account's summary, or null. Not scoped: callers check ownership (see `findOwnedAccount`). */
export async function loadSummary(sql: Sql, accountId: string): Promise<AccountSummary | null> {
  const [row] = await sql<AccountRow[]>`
    select ${accountColumns(sql)} from accounts where id = ${accountId}`;
  return row ? summaryOf(row) : null;
}
