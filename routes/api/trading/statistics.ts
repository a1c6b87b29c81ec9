import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { rangeOf, statisticsQuerySchema } from "../../../services/trading/filters.ts";
import { accountStatistics } from "../../../services/trading/statistics_queries.ts";

const money = z.string();
const ratio = z.string().nullable();
const tradeRef = z.object({ id: z.string(), tradeId: z.string(), pnl: money }).nullable();
const day = z.object({ day: z.string(), pnl: money, trades: z.int() });
const drawdown = z.object({ amount: money, percent: ratio, peak: money, trough: money }).nullable();
const breakdown = z.array(z.object({ key: z.string(), trades: z.int(), net: money }));

export const api = defineApi({
  GET: {
    summary: "Trading statistics of an account",
    description: "Every figure of DESIGN §3.1 over the account's closed trades (optionally closed within " +
      "[`from`, `to`)): money as decimal strings to the cent, ratios as decimal strings with 4 places, null " +
      "where undefined. Days are the plan's trading days; `maxDrawdown` is over the closed-balance curve, " +
      "`maxDrawdownEquity` over the equity samples, both with the fall as % of the peak. Another trader's " +
      "account answers 404; staff may read any account.",
    tags: ["trading"],
    access: "authenticated",
    query: statisticsQuerySchema,
    responses: {
      200: {
        description: "The figures",
        schema: z.object({
          accountId: z.string(),
          currency: z.string(),
          from: z.string().nullable(),
          to: z.string().nullable(),
          trades: z.int(),
          wins: z.int(),
          losses: z.int(),
          breakeven: z.int(),
          winRate: ratio,
          grossProfit: money,
          grossLoss: money,
          netProfit: money,
          profitFactor: ratio,
          averageWin: money.nullable(),
          averageLoss: money.nullable(),
          payoffRatio: ratio,
          expectancy: money.nullable(),
          bestTrade: tradeRef,
          worstTrade: tradeRef,
          averageHoldMinutes: z.string().nullable(),
          long: z.object({ count: z.int(), net: money }),
          short: z.object({ count: z.int(), net: money }),
          dailyPnl: z.array(day),
          bestDay: day.nullable(),
          worstDay: day.nullable(),
          winningDays: z.int(),
          maxDrawdown: drawdown,
          maxDrawdownEquity: drawdown,
          sharpe: ratio,
          sortino: ratio,
          bySymbol: breakdown,
          byDirection: breakdown,
          byWeekday: breakdown,
        }),
      },
      401: { description: "Not signed in" },
      404: { description: "No such account of yours" },
      422: { description: "A malformed account id or range" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const stats = await accountStatistics(
      ctx.state.deps.db.sql,
      { ...user, actor: ctx.state.actor },
      query.accountId,
      rangeOf(query),
    );
    const { reset: _reset, ...body } = stats;
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  },
});
