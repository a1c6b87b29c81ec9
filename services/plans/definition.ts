/**
 * The body of a plan version: the rules a challenge is evaluated against (DESIGN.md §3). Stored as jsonb in
 * `plan_versions.definition`; `family` and `slug` live on the plan row, not here.
 *
 * Money and percentages are decimal strings, never floats: `"100000.00"`, `"5"`, `"2.5"`.
 */
import { z } from "zod";
import { singleLine } from "../../lib/text.ts";
import { moneySchema, PRICE_MAX } from "../money.ts";
import { Unprocessable } from "../../lib/errors.ts";
import { isRegionZone } from "../time_format.ts";

const PERCENT = /^\d{1,3}(\.\d{1,2})?$/;

/** A non-negative money amount with at most two decimals, e.g. `"540.00"`. */
export const money = moneySchema();

const positiveMoney = moneySchema({ min: "0.01" });

/** A percentage in (0, 100] with at most two decimals, e.g. `"5"` or `"2.5"`. */
const percent = z.string()
  .regex(PERCENT, 'must be a decimal string with at most 2 decimals, e.g. "5" or "2.5"')
  .refine((v) => Number(v) > 0 && Number(v) <= 100, "must be greater than 0 and at most 100");

/** Either a percentage (of the initial balance, or of the anchor where a rule says so) or a fixed amount. */
const byPercent = { percent } as const;
const byAmount = { amount: positiveMoney } as const;

const timeZone = z.string().refine(isRegionZone, "must be an IANA time zone, e.g. Europe/Prague");

export const resetSchema = z.strictObject({
  timeZone,
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour local time "HH:MM"'),
});

const dailyLossRule = {
  /** The level the day's loss is measured from, fixed at each reset. */
  anchor: z.enum(["sod_balance", "sod_equity", "sod_max", "initial"]),
  /** The value compared with the floor. */
  on: z.enum(["equity", "balance"]),
  /** `fail`: hard breach; `pause`: trading blocked until the next reset. */
  action: z.enum(["fail", "pause"]),
} as const;

const dailyLossSchema = z.union([
  z.strictObject({
    ...byPercent,
    /** What the percentage is of: the initial balance (FTMO) or the day's anchor. */
    of: z.enum(["initial", "anchor"]),
    ...dailyLossRule,
  }),
  z.strictObject({ ...byAmount, ...dailyLossRule }),
]);

const maxLossRule = {
  mode: z.enum(["static", "trailing_intraday", "trailing_eod"]),
  /** Trailing stops once the floor reaches initial balance + this offset; null = never locks. */
  lockAtOffset: money.nullable(),
} as const;

const maxLossSchema = z.union([
  z.strictObject({ ...byPercent, ...maxLossRule }),
  z.strictObject({ ...byAmount, ...maxLossRule }),
]);

const profitTargetSchema = z.union([z.strictObject(byPercent), z.strictObject(byAmount)]);

export const phaseSchema = z.strictObject({
  name: singleLine().trim().min(1, "is required").max(60, "must be at most 60 characters"),
  profitTarget: profitTargetSchema.nullable(),
  dailyLoss: dailyLossSchema.nullable(),
  maxLoss: maxLossSchema.nullable(),
  minTradingDays: z.int().min(0).max(365),
  timeLimitDays: z.int().min(1).max(3650).nullable(),
  /** Consistency: the best day's profit may be at most this share of the total profit. */
  bestDayMaxPercent: percent.nullable(),
});

export const fundedSchema = z.strictObject({
  profitSplitPercent: percent,
  minPayout: money,
  payoutIntervalDays: z.int().min(1).max(365),
  dailyLoss: dailyLossSchema.nullable(),
  maxLoss: maxLossSchema.nullable(),
});

export const planDefinitionSchema = z.strictObject({
  name: singleLine().trim().min(1, "is required").max(80, "must be at most 80 characters"),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. "USD"'),
  initialBalance: positiveMoney,
  price: moneySchema({ max: PRICE_MAX }),
  reset: resetSchema,
  phases: z.array(phaseSchema).min(1).max(5),
  funded: fundedSchema,
});

export type Reset = z.infer<typeof resetSchema>;
export type DailyLossRule = z.infer<typeof dailyLossSchema>;
export type MaxLossRule = z.infer<typeof maxLossSchema>;
export type ProfitTarget = z.infer<typeof profitTargetSchema>;
export type PhaseDefinition = z.infer<typeof phaseSchema>;
export type PlanDefinition = z.infer<typeof planDefinitionSchema>;

/**
 * Validates a plan body. Throws `Unprocessable` whose fields map each offending path to its message, e.g.
 * `{ "phases.0.dailyLoss.percent": "must be greater than 0 and at most 100" }`.
 */
export function parsePlanDefinition(input: unknown): PlanDefinition {
  const result = planDefinitionSchema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  collectIssues(result.error.issues, [], fields);
  throw new Unprocessable(fields);
}

/**
 * A failed union (percent vs amount form) reports only "Invalid input" at the rule; descend into the branch
 * that came closest so the message names the actual field, e.g. `phases.0.maxLoss.mode`.
 */
function collectIssues(issues: z.core.$ZodIssue[], prefix: PropertyKey[], fields: Record<string, string>) {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const closest = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
      if (closest.length > 0) {
        collectIssues(closest, path, fields);
        continue;
      }
    }
    fields[path.map(String).join(".") || "definition"] ??= issue.message;
  }
}
