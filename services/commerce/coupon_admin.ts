/**
 * The back office's coupons: create, list, and change when and how often one may be used. A coupon's kind
 * and value never change once created: orders already quoted or paid with it must keep meaning what they
 * meant. Every change is audited in its own transaction.
 */
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import {
  type Coupon,
  type CouponChanges,
  insertCoupon,
  listCoupons,
  lockCoupon,
  updateCoupon,
} from "./coupon_queries.ts";
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { COUPON_CODE } from "./coupons.ts";
import { moneySchema, PRICE_MAX } from "../money.ts";
import { isoTimeSchema } from "../time.ts";

const iso = isoTimeSchema();
const limit = (max: number) => z.int().min(1).max(max).nullable().optional();

/** The body of `POST /api/admin/coupons`. */
export const couponInputSchema = z.strictObject({
  code: z.string().trim().toUpperCase().regex(
    COUPON_CODE,
    "must be 3 to 32 letters, digits, - or _, starting with a letter or digit",
  ),
  kind: z.enum(["percent", "amount"]),
  /** percent: in (0, 100]; amount: money in `currency`. */
  value: moneySchema({ min: "0.01", max: PRICE_MAX }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. "USD"').nullable().optional(),
  planIds: z.array(z.uuid("must be a plan id")).min(1).max(200).nullable().optional(),
  startsAt: iso.nullable().optional(),
  expiresAt: iso.nullable().optional(),
  maxRedemptions: limit(10_000_000),
  maxPerUser: limit(10_000),
  active: z.boolean().default(true),
}).superRefine((v, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (v.kind === "percent" && Number(v.value) > 100) {
    issue("value", "must be at most 100 for a percent coupon");
  }
  if (v.kind === "amount" && !v.currency) issue("currency", "is required for an amount coupon");
  if (v.kind === "percent" && v.currency) issue("currency", "applies only to amount coupons");
  if (v.startsAt && v.expiresAt && Date.parse(v.expiresAt) <= Date.parse(v.startsAt)) {
    issue("expiresAt", "must be after startsAt");
  }
});

/** The body of `PATCH /api/admin/coupons/:id`: any of these, at least one. */
export const couponChangesSchema = z.strictObject({
  active: z.boolean().optional(),
  expiresAt: iso.nullable().optional(),
  maxRedemptions: limit(10_000_000),
  maxPerUser: limit(10_000),
}).refine(
  (v) => Object.keys(v).length > 0,
  "send at least one of active, expiresAt, maxRedemptions, maxPerUser",
);

type CouponInput = z.infer<typeof couponInputSchema>;

/** Creates a coupon: 409 when the code exists (in any case), 422 naming unknown plans. */
export async function createCoupon(db: Db, actor: Actor, input: CouponInput): Promise<Coupon> {
  return await db.tx(async (tx) => {
    if (input.planIds) {
      const known = new Set(
        (await tx<{ id: string }[]>`select id from plans where id = any(${input.planIds}::uuid[])`)
          .map((r) => r.id),
      );
      const fields: Record<string, string> = {};
      input.planIds.forEach((id, i) => {
        if (!known.has(id)) fields[`planIds.${i}`] = "is not a plan";
      });
      if (Object.keys(fields).length) throw new Unprocessable(fields);
    }
    const coupon = await insertCoupon(tx, {
      code: input.code,
      kind: input.kind,
      value: input.value,
      currency: input.currency ?? null,
      planIds: input.planIds ? [...new Set(input.planIds)] : null,
      startsAt: input.startsAt ? new Date(input.startsAt) : null,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      maxRedemptions: input.maxRedemptions ?? null,
      maxPerUser: input.maxPerUser ?? null,
      active: input.active,
      createdBy: actor.userId,
    });
    if (!coupon) throw new Conflict("A coupon with this code exists.", { code: "is taken" });
    await recordAudit(tx, actor, "admin.coupon_created", {
      type: "coupon",
      id: coupon.id,
      details: { code: coupon.code, kind: coupon.kind, value: coupon.value, currency: coupon.currency },
    });
    return coupon;
  });
}

/** Every coupon, newest first, with its redemption count. */
export async function allCoupons(db: Db): Promise<Coupon[]> {
  return await listCoupons(db.sql);
}

/** Changes coupon `id` (404 when unknown); e.g. `{active: false}` stops it at once. */
export async function changeCoupon(
  db: Db,
  actor: Actor,
  id: string,
  input: z.infer<typeof couponChangesSchema>,
): Promise<Coupon> {
  return await db.tx(async (tx) => {
    const before = await lockCoupon(tx, id);
    if (!before) throw new NotFound("No such coupon.");
    const changes: CouponChanges = {};
    if (input.active !== undefined) changes.active = input.active;
    if (input.expiresAt !== undefined) {
      changes.expiresAt = input.expiresAt === null ? null : new Date(input.expiresAt);
      if (changes.expiresAt && before.startsAt && changes.expiresAt <= new Date(before.startsAt)) {
        throw new Unprocessable("expiresAt", "must be after the coupon's start");
      }
    }
    if (input.maxRedemptions !== undefined) changes.maxRedemptions = input.maxRedemptions;
    if (input.maxPerUser !== undefined) changes.maxPerUser = input.maxPerUser;
    const after = (await updateCoupon(tx, id, changes))!;
    await recordAudit(tx, actor, "admin.coupon_updated", {
      type: "coupon",
      id,
      details: { code: before.code, changes: input, before: pick(before, Object.keys(input)) },
    });
    return after;
  });
}

function pick(coupon: Coupon, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, coupon[k as keyof Coupon]]));
}
