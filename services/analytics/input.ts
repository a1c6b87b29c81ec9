/**
 * The analytics query (`from`, `to`, `granularity`, `currency`), read once for the API and the page. `from`
 * and `to` take an ISO-8601 instant or a date `YYYY-MM-DD` in UTC: `from` is the start of its day, `to`
 * includes its whole day (services/trading/filters.ts). Without them: the last twelve whole months and this
 * month so far.
 */
import { z } from "zod";
import { Unprocessable } from "../../lib/errors.ts";
import { rangeOf, rangeQuery } from "../trading/filters.ts";
import { GRANULARITIES, type Granularity, MAX_PERIODS, type Period, periodsOf } from "./periods.ts";
import type { Range } from "./queries.ts";

export const analyticsQuery = z.object({
  ...rangeQuery,
  granularity: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(GRANULARITIES, "must be day, week or month").optional(),
  ).describe("UTC periods (month)"),
  currency: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. "USD"').optional(),
  ).describe("Money in this currency only (USD)"),
});
export type AnalyticsQuery = z.infer<typeof analyticsQuery>;

/**
 * The range and its periods. 422 when `from` is not before `to`, or the range has more than MAX_PERIODS
 * periods of the granularity.
 */
export function analyticsRange(q: AnalyticsQuery, now: Date): { range: Range; periods: Period[] } {
  const granularity: Granularity = q.granularity ?? "month";
  const bounds = rangeOf(q, "UTC");
  const to = bounds.to ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const from = bounds.from ?? new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 12, 1));
  if (+from >= +to) throw new Unprocessable("to", "must be after from");
  const periods = periodsOf(from, to, granularity);
  if (!periods) {
    throw new Unprocessable(
      "granularity",
      `gives more than ${MAX_PERIODS} periods for this range; pick a longer one`,
    );
  }
  return { range: { from, to, granularity, currency: q.currency ?? "USD" }, periods };
}
