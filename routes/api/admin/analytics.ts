import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import { businessAnalytics } from "../../../services/analytics/business.ts";
import { ANALYTICS_TABLES, analyticsCsv } from "../../../services/analytics/csv.ts";
import { analyticsQuery, analyticsRange } from "../../../services/analytics/input.ts";

const money = z.string().describe("Decimal string");
const count = z.object({ count: z.number(), traderShare: money });
const figures = z.object({
  revenue: money.describe("grossRevenue − refunds"),
  grossRevenue: money.describe("Σ paid order amounts (by when they were paid)"),
  refunds: money.describe("Σ refunds (by when the money went back)"),
  orders: z.number().describe("Orders paid"),
  averageOrder: money.nullable().describe("grossRevenue / orders, half up to the cent"),
  passRate: z.array(z.object({
    phase: z.number(),
    passed: z.number(),
    failed: z.number(),
    rate: z.string().nullable().describe("passed / (passed + failed), 4 decimals"),
  })),
  breaches: z.record(z.string(), z.number()).describe("By rule key"),
  activeTraders: z.number().describe("Distinct traders with an event"),
  fundedAccounts: z.number().describe("Funded accounts opened"),
  payouts: z.object({ requested: count, approved: count, paid: count }),
  net: money.describe("revenue − trader share paid out"),
});

export const api = defineApi({
  GET: {
    summary: "Business analytics by UTC period (DESIGN §3.4)",
    description: "`from`/`to`: ISO-8601 instants or UTC dates (`to` includes its day; default: the last 12 " +
      "months and this one); `granularity` day | week (ISO, Monday) | month; `currency` (USD). " +
      "`format=csv&table=" + ANALYTICS_TABLES.join("|") + "` answers one table of the page as CSV.",
    tags: ["admin"],
    access: rolesWith("analytics.read"),
    query: analyticsQuery.extend({
      format: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["json", "csv"]).optional()),
      table: z.preprocess((v) => (v === "" ? undefined : v), z.enum(ANALYTICS_TABLES).optional()),
    }),
    responses: {
      200: {
        description: "The figures per period, per plan and for the whole range (or one table as text/csv)",
        schema: z.object({
          from: z.string(),
          to: z.string(),
          granularity: z.enum(["day", "week", "month"]),
          currency: z.string(),
          periods: z.array(figures.extend({ start: z.string(), end: z.string() })),
          byPlan: z.array(z.object({
            planId: z.string(),
            planName: z.string(),
            orders: z.number(),
            grossRevenue: money,
            refunds: money,
            revenue: money,
            byPeriod: z.array(money),
          })),
          totals: figures,
        }),
      },
      422: { description: "A bad range: from not before to, too many periods, a malformed date" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query }) {
    const { range, periods } = analyticsRange(query, new Date());
    const analytics = await businessAnalytics(ctx.state.deps.db.sql, range, periods);
    if (query.format !== "csv") return Response.json(analytics, { headers: { "cache-control": "no-store" } });
    const table = query.table ?? "revenue";
    const name = `${table}-${range.from.toISOString().slice(0, 10)}-${range.granularity}.csv`;
    return new Response(analyticsCsv(analytics, table), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      },
    });
  },
});
