/** What a trader may ask for as self-locks: the API body's schema, which the settings form reuses. */
import { z } from "zod";
import type { FieldErrors } from "../../lib/errors.ts";
import { fromMinor, moneySchema, toMinor } from "../money.ts";

const count = (max: number, what: string) =>
  z.int(`must be a whole number of ${what}`).min(1, "must be at least 1").max(max, `must be at most ${max}`);

const COOLDOWN_PAIR = "is needed for a cooldown (set both, or neither)";

/** The whole set of limits (PUT replaces it; null = off). The cooldown is a pair: both or neither. */
export const selfLocksInput = z.strictObject({
  // Normalised to 2 places ("500" → "500.00"), as the column and every answer write it.
  dailyLossLimit: moneySchema({ min: "0.01" }).transform((v) => fromMinor(toMinor(v))).nullable(),
  maxTradesPerDay: count(1000, "trades").nullable(),
  cooldownLosses: count(100, "losing trades").nullable(),
  cooldownMinutes: count(10_080, "minutes").nullable(),
}).superRefine((v, ctx) => {
  const missing = cooldownHalfMissing(v);
  if (missing) ctx.addIssue({ code: "custom", path: [missing], message: COOLDOWN_PAIR });
});

/** The half of the cooldown pair that is missing when only the other is set, or null. */
function cooldownHalfMissing(v: { cooldownLosses?: unknown; cooldownMinutes?: unknown }): string | null {
  const off = (x: unknown) => x === null || x === undefined || x === "";
  if (off(v.cooldownLosses) === off(v.cooldownMinutes)) return null;
  return off(v.cooldownLosses) ? "cooldownLosses" : "cooldownMinutes";
}

/**
 * Field errors for `input`, with the cooldown pair's even when another field's type error stopped the schema
 * before its object-level check (a form shows every problem at once).
 */
export function selfLocksErrors(input: Record<string, unknown>, errors: FieldErrors): FieldErrors {
  const missing = cooldownHalfMissing(input);
  return missing && !errors[missing] ? { ...errors, [missing]: COOLDOWN_PAIR } : errors;
}
