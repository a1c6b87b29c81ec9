/**
 * Reading payouts: the trader's own, the staff queue (filters, keyset pages newest first) and one payout. Money
 * as decimal strings, instants ISO-8601 UTC.
 */
import type { Sql } from "../../db/client.ts";
import { BadRequest } from "../../lib/errors.ts";
import { isoOrNull } from "../time.ts";

export const PAYOUT_STATUSES = ["pending", "approved", "rejected", "paid"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

export interface Payout {
  id: string;
  userId: string;
  accountId: string;
  currency: string;
  /** The gross amount withdrawn from the account. */
  amount: string;
  /** What the trader receives: floor(amount × splitPercent %). */
  traderShare: string;
  splitPercent: string;
  status: PayoutStatus;
  approvals: number;
  approvalsRequired: number;
  /** The staff who approved (ids), oldest first. */
  approvedBy: string[];
  requestedAt: string;
  approvedAt: string | null;
  paidAt: string | null;
  rejectedAt: string | null;
  reason: string | null;
  reference: string | null;
}

/** A payout as the staff queue lists it: with the trader's email and name. */
export interface StaffPayout extends Payout {
  userEmail: string;
  userName: string;
}

interface PayoutRow {
  id: string;
  user_id: string;
  account_id: string;
  currency: string;
  amount: string;
  trader_share: string;
  split_percent: string;
  status: PayoutStatus;
  approvals_required: number;
  approved_by: string[] | null;
  requested_at: Date;
  approved_at: Date | null;
  paid_at: Date | null;
  rejected_at: Date | null;
  reason: string | null;
  reference: string | null;
  email?: string;
  first_name?: string;
  last_name?: string;
}

/** The select list of `PayoutRow` over `payouts p` (with the approvals, oldest first). */
function columns(sql: Sql) {
  return sql`p.id, p.user_id, p.account_id, p.currency, p.amount, p.trader_share,
    p.split_percent::text as split_percent, p.status, p.approvals_required, p.requested_at, p.approved_at,
    p.paid_at, p.rejected_at, p.reason, p.reference,
    array(select a.staff_id from payout_approvals a where a.payout_id = p.id order by a.at, a.staff_id)
      as approved_by`;
}

function toPayout(r: PayoutRow): Payout {
  const approvedBy = r.approved_by ?? [];
  return {
    id: r.id,
    userId: r.user_id,
    accountId: r.account_id,
    currency: r.currency,
    amount: r.amount,
    traderShare: r.trader_share,
    // numeric(5,2) reads "80.00": shown as the plan wrote it ("80", "85.5").
    splitPercent: r.split_percent.replace(/\.?0+$/, ""),
    status: r.status,
    approvals: approvedBy.length,
    approvalsRequired: r.approvals_required,
    approvedBy,
    requestedAt: r.requested_at.toISOString(),
    approvedAt: isoOrNull(r.approved_at),
    paidAt: isoOrNull(r.paid_at),
    rejectedAt: isoOrNull(r.rejected_at),
    reason: r.reason,
    reference: r.reference,
  };
}

/** One payout by id (not scoped: callers check who may see it), or null. */
export async function findPayout(sql: Sql, id: string): Promise<Payout | null> {
  const [row] = await sql<PayoutRow[]>`select ${columns(sql)} from payouts p where p.id = ${id}`;
  return row ? toPayout(row) : null;
}

/** The payout a user made with an Idempotency-Key, or null. */
export async function findByIdempotencyKey(sql: Sql, userId: string, key: string): Promise<Payout | null> {
  const [row] = await sql<PayoutRow[]>`
    select ${columns(sql)} from payouts p where p.user_id = ${userId} and p.idempotency_key = ${key}`;
  return row ? toPayout(row) : null;
}

export interface PayoutFilter {
  /** One payout (the staff detail view). */
  id?: string;
  status?: PayoutStatus;
  userId?: string;
  accountId?: string;
  cursor?: string;
  limit?: number;
}

/** A page of payouts newest first, and the cursor of the next page (null at the end). */
export async function listPayouts(
  sql: Sql,
  filter: PayoutFilter,
): Promise<{ items: StaffPayout[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const after = filter.cursor ? decodeCursor(filter.cursor) : null;
  const rows = await sql<PayoutRow[]>`
    select ${columns(sql)}, u.email, u.first_name, u.last_name
    from payouts p join users u on u.id = p.user_id
    where true
      ${filter.id ? sql`and p.id = ${filter.id}` : sql``}
      ${filter.status ? sql`and p.status = ${filter.status}` : sql``}
      ${filter.userId ? sql`and p.user_id = ${filter.userId}` : sql``}
      ${filter.accountId ? sql`and p.account_id = ${filter.accountId}` : sql``}
      ${after ? sql`and (p.requested_at, p.id) < (${after.at}, ${after.id})` : sql``}
    order by p.requested_at desc, p.id desc
    limit ${limit + 1}`;
  const items = rows.slice(0, limit).map((r) => ({
    ...toPayout(r),
    userEmail: r.email!,
    userName: `${r.first_name ?? ""} ${r.last_name ?? ""}`.trim(),
  }));
  const last = rows.length > limit ? items.at(-1)! : null;
  return { items, nextCursor: last ? encodeCursor(last.requestedAt, last.id) : null };
}

function encodeCursor(at: string, id: string): string {
  return btoa(`${at}|${id}`).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = atob(cursor.replaceAll("-", "+").replaceAll("_", "/")).split("|");
    const date = new Date(at);
    if (!/^[0-9a-f-]{36}$/.test(id ?? "") || Number.isNaN(date.getTime())) throw new Error("bad cursor");
    return { at: date, id };
  } catch {
    throw new BadRequest("The cursor is not valid.", { cursor: "is not a cursor from this list" });
  }
}

/** The payouts as CSV (RFC 4180), one line per payout, for the staff export. */
export function payoutsCsv(items: readonly StaffPayout[]): string {
  const header = [
    "id",
    "requested_at",
    "status",
    "user_email",
    "account_id",
    "currency",
    "amount",
    "split_percent",
    "trader_share",
    "approvals",
    "approved_at",
    "paid_at",
    "reference",
    "rejected_at",
    "reason",
  ];
  const cell = (v: string | number | null) => {
    const s = v === null ? "" : String(v);
    // A leading =, +, - or @ would be a formula in a spreadsheet: quote it as text.
    const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const lines = items.map((p) =>
    [
      p.id,
      p.requestedAt,
      p.status,
      p.userEmail,
      p.accountId,
      p.currency,
      p.amount,
      p.splitPercent,
      p.traderShare,
      `${p.approvals}/${p.approvalsRequired}`,
      p.approvedAt,
      p.paidAt,
      p.reference,
      p.rejectedAt,
      p.reason,
    ].map(cell).join(",")
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
