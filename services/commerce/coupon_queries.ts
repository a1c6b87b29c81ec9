/** Queries over `coupons`. Codes are stored upper-case; values stay decimal strings. */
import type { Sql } from "../../db/client.ts";
import { isoOrNull } from "../time.ts";

export type CouponKind = "percent" | "amount";

/** A coupon as the back office sees it. */
export interface Coupon {
  id: string;
  code: string;
  kind: CouponKind;
  /** percent: "15.00" (of the list price); amount: money in `currency`. */
  value: string;
  currency: string | null;
  /** The plans it applies to; null = every plan. */
  planIds: string[] | null;
  startsAt: string | null;
  expiresAt: string | null;
  maxRedemptions: number | null;
  maxPerUser: number | null;
  /** Paid (or since refunded) orders that used it. */
  redemptions: number;
  active: boolean;
  createdAt: string;
}

interface NewCoupon {
  code: string;
  kind: CouponKind;
  value: string;
  currency: string | null;
  planIds: string[] | null;
  startsAt: Date | null;
  expiresAt: Date | null;
  maxRedemptions: number | null;
  maxPerUser: number | null;
  active: boolean;
  createdBy: string | null;
}

/** The editable part of a coupon: whether and until when it may be used, and how often. */
export interface CouponChanges {
  active?: boolean;
  expiresAt?: Date | null;
  maxRedemptions?: number | null;
  maxPerUser?: number | null;
}

interface CouponRow {
  id: string;
  code: string;
  kind: CouponKind;
  value: string;
  currency: string | null;
  plan_ids: string[] | null;
  starts_at: Date | null;
  expires_at: Date | null;
  max_redemptions: number | null;
  max_per_user: number | null;
  redemptions: number;
  active: boolean;
  created_at: Date;
}

function toCoupon(r: CouponRow): Coupon {
  return {
    id: r.id,
    code: r.code,
    kind: r.kind,
    value: r.value,
    currency: r.currency,
    planIds: r.plan_ids,
    startsAt: isoOrNull(r.starts_at),
    expiresAt: isoOrNull(r.expires_at),
    maxRedemptions: r.max_redemptions,
    maxPerUser: r.max_per_user,
    redemptions: r.redemptions,
    active: r.active,
    createdAt: r.created_at.toISOString(),
  };
}

/** Inserts a coupon; null when the code is taken (the unique index decides, so races are safe). */
export async function insertCoupon(tx: Sql, c: NewCoupon): Promise<Coupon | null> {
  const [row] = await tx<CouponRow[]>`
    insert into coupons (code, kind, value, currency, plan_ids, starts_at, expires_at, max_redemptions,
                         max_per_user, active, created_by)
    values (${c.code}, ${c.kind}, ${c.value}, ${c.currency}, ${c.planIds}::uuid[], ${c.startsAt},
            ${c.expiresAt}, ${c.maxRedemptions}, ${c.maxPerUser}, ${c.active}, ${c.createdBy})
    on conflict (code) do nothing
    returning *`;
  return row ? toCoupon(row) : null;
}

/** Every coupon, newest first. */
export async function listCoupons(sql: Sql): Promise<Coupon[]> {
  const rows = await sql<CouponRow[]>`select * from coupons order by created_at desc, code`;
  return rows.map(toCoupon);
}

/**
 * The coupon with `code` (already upper-cased), or null. `lock` takes the row lock, so the limits read here
 * stay true until the caller's transaction ends.
 */
export async function findCouponByCode(sql: Sql, code: string, lock = false): Promise<Coupon | null> {
  const [row] = lock
    ? await sql<CouponRow[]>`select * from coupons where code = ${code} for update`
    : await sql<CouponRow[]>`select * from coupons where code = ${code}`;
  return row ? toCoupon(row) : null;
}

/** The coupon `id` under a row lock, or null. */
export async function lockCoupon(tx: Sql, id: string): Promise<Coupon | null> {
  const [row] = await tx<CouponRow[]>`select * from coupons where id = ${id} for update`;
  return row ? toCoupon(row) : null;
}

/** Applies `changes` to coupon `id` (locked by the caller); returns the coupon after, or null. */
export async function updateCoupon(tx: Sql, id: string, changes: CouponChanges): Promise<Coupon | null> {
  const has = (key: keyof CouponChanges) => key in changes;
  const [row] = await tx<CouponRow[]>`
    update coupons set
      active = case when ${has("active")} then ${changes.active ?? null}::boolean else active end,
      expires_at = case when ${has("expiresAt")} then ${changes.expiresAt ?? null}::timestamptz
                        else expires_at end,
      max_redemptions = case when ${has("maxRedemptions")} then ${changes.maxRedemptions ?? null}::int
                             else max_redemptions end,
      max_per_user = case when ${has("maxPerUser")} then ${
    changes.maxPerUser ?? null
  }::int else max_per_user end
    where id = ${id}
    returning *`;
  return row ? toCoupon(row) : null;
}

/** The uses of a coupon that count against its limits at one instant. */
interface CouponUses {
  /** Paid orders (refunded ones included: a refund does not give a use back) and live holds. */
  total: number;
  /** The same, of one buyer. */
  mine: number;
  /** Of `mine`, those held by the buyer's own unpaid orders. */
  mineHeld: number;
}

/**
 * The uses of coupon `couponId` at `now`: every redeemed order, and every held one whose payment window is
 * still open — a lapsed hold counts for nothing even before the expiry sweep marks its order. Read it under
 * the coupon's row lock to act on it.
 */
export async function couponUses(sql: Sql, couponId: string, userId: string, now: Date): Promise<CouponUses> {
  const [row] = await sql<CouponUses[]>`
    select count(*)::int as total,
           (count(*) filter (where user_id = ${userId}))::int as mine,
           (count(*) filter (where user_id = ${userId} and coupon_use = 'held'))::int as "mineHeld"
    from orders
    where coupon_id = ${couponId}
      and (coupon_use = 'redeemed' or (coupon_use = 'held' and expires_at > ${now}))`;
  return row;
}

/** Counts one more redemption (inside the payment transaction, under the coupon's row lock). */
export async function addRedemption(tx: Sql, couponId: string): Promise<void> {
  await tx`update coupons set redemptions = redemptions + 1 where id = ${couponId}`;
}
