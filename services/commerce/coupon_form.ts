/**
 * The back office's coupon forms as the coupons API's inputs: text fields → the body `createCoupon` and
 * `changeCoupon` validate (one validator: the API's schemas). Times are typed in the admin's own zone.
 */
import { Unprocessable } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import { isoToZonedLocal, zonedLocalToIso } from "../time.ts";
import { couponChangesSchema, couponInputSchema } from "./coupon_admin.ts";
import type { Coupon } from "./coupon_queries.ts";

type Form = Record<string, string>;

/** A form's text as the coupon editor shows it back (what was typed, or the coupon's values). */
export interface CouponFormValues {
  code: string;
  kind: string;
  value: string;
  currency: string;
  planIds: string[];
  startsAt: string;
  expiresAt: string;
  maxRedemptions: string;
  maxPerUser: string;
  active: boolean;
}

export const EMPTY_COUPON: CouponFormValues = {
  code: "",
  kind: "percent",
  value: "",
  currency: "USD",
  planIds: [],
  startsAt: "",
  expiresAt: "",
  maxRedemptions: "",
  maxPerUser: "1",
  active: true,
};

/** The values of a coupon for the edit form, its times in `zone`. */
export function couponValues(c: Coupon, zone: string): CouponFormValues {
  return {
    code: c.code,
    kind: c.kind,
    value: c.value,
    currency: c.currency ?? "",
    planIds: c.planIds ?? [],
    startsAt: c.startsAt ? isoToZonedLocal(c.startsAt, zone) : "",
    expiresAt: c.expiresAt ? isoToZonedLocal(c.expiresAt, zone) : "",
    maxRedemptions: c.maxRedemptions === null ? "" : String(c.maxRedemptions),
    maxPerUser: c.maxPerUser === null ? "" : String(c.maxPerUser),
    active: c.active,
  };
}

/** The posted form's values (plans come as several `planIds` fields, read by the caller). */
export function postedCouponValues(form: Form, planIds: string[]): CouponFormValues {
  return {
    code: form.code ?? "",
    kind: form.kind ?? "percent",
    value: form.value ?? "",
    currency: form.currency ?? "",
    planIds,
    startsAt: form.startsAt ?? "",
    expiresAt: form.expiresAt ?? "",
    maxRedemptions: form.maxRedemptions ?? "",
    maxPerUser: form.maxPerUser ?? "",
    active: form.active === "on",
  };
}

/** The body of `POST /api/admin/coupons` the values describe; 422 naming the fields at fault. */
export function couponInputOf(v: CouponFormValues, zone: string) {
  const errors: Record<string, string> = {};
  const input = {
    code: v.code,
    kind: v.kind,
    value: v.value.trim(),
    currency: v.kind === "amount" ? (v.currency.trim().toUpperCase() || null) : null,
    planIds: v.planIds.length > 0 ? v.planIds : null,
    startsAt: time(v.startsAt, "startsAt", zone, errors),
    expiresAt: time(v.expiresAt, "expiresAt", zone, errors),
    maxRedemptions: whole(v.maxRedemptions, "maxRedemptions", errors),
    maxPerUser: whole(v.maxPerUser, "maxPerUser", errors),
    active: v.active,
  };
  return merged(errors, () => validate(couponInputSchema, input));
}

/** The body of `PATCH /api/admin/coupons/:id` for the edit form (what may change after creation). */
export function couponChangesOf(v: CouponFormValues, zone: string) {
  const errors: Record<string, string> = {};
  const input = {
    active: v.active,
    expiresAt: time(v.expiresAt, "expiresAt", zone, errors),
    maxRedemptions: whole(v.maxRedemptions, "maxRedemptions", errors),
    maxPerUser: whole(v.maxPerUser, "maxPerUser", errors),
  };
  return merged(errors, () => validate(couponChangesSchema, input));
}

function merged<T>(errors: Record<string, string>, parse: () => T): T {
  try {
    const parsed = parse();
    if (Object.keys(errors).length === 0) return parsed;
  } catch (error) {
    if (!(error instanceof Unprocessable)) throw error;
    errors = { ...error.fields, ...errors };
  }
  throw new Unprocessable(errors);
}

function whole(text: string, field: string, errors: Record<string, string>): number | null {
  const v = text.trim();
  if (v === "") return null;
  if (!/^\d{1,9}$/.test(v)) errors[field] = "must be a whole number";
  return /^\d{1,9}$/.test(v) ? Number(v) : null;
}

function time(text: string, field: string, zone: string, errors: Record<string, string>): string | null {
  const v = text.trim();
  if (v === "") return null;
  const iso = zonedLocalToIso(v, zone);
  if (iso === null) errors[field] = "must be a date and time";
  return iso;
}
