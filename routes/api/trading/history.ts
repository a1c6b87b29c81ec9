import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { historyFiltersOf, historyQuerySchema } from "../../../services/trading/filters.ts";
import { historyPage, historyScope } from "../../../services/trading/history.ts";
import { historyCsv } from "../../../services/trading/history_csv.ts";

const item = z.object({
  id: z.string(),
  tradeId: z.string().describe("The platform's trade id"),
  accountId: z.string(),
  currency: z.string(),
  symbol: z.string(),
  direction: z.enum(["buy", "sell"]),
  volume: z.string(),
  entryPrice: z.string(),
  exitPrice: z.string().nullable(),
  pnl: z.string().nullable().describe("Realized P&L incl. costs; null while open"),
  status: z.enum(["open", "closed"]),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
});

export const api = defineApi({
  GET: {
    summary: "Trade history",
    description:
      "The caller's trades (one account with `accountId`, else all of their accounts), newest first " +
      "by open time, filtered by symbol, direction, result (`win`/`loss`/`breakeven` on closed trades, `open`) " +
      "and open-time range. Keyset pages: pass `nextCursor` back as `cursor`; rows inserted meanwhile never " +
      "shift a page. With `format=csv` or `Accept: text/csv`: every matching row as RFC 4180 CSV (cells that " +
      "a spreadsheet would run as a formula are prefixed with `'`). Another trader's account answers 404; " +
      "staff may read any account.",
    tags: ["trading"],
    access: "authenticated",
    query: historyQuerySchema,
    responses: {
      200: {
        description: "A page of trades (or the CSV)",
        schema: z.object({ items: z.array(item), nextCursor: z.string().nullable() }),
      },
      401: { description: "Not signed in" },
      404: { description: "No such account of yours" },
      422: { description: "A malformed filter or cursor" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const { sql } = ctx.state.deps.db;
    const filters = historyFiltersOf(query);
    const scope = await historyScope(sql, { ...user, actor: ctx.state.actor }, filters);
    const csv = query.format === "csv" ||
      (query.format === undefined && /\btext\/csv\b/.test(ctx.req.headers.get("accept") ?? ""));
    if (csv) {
      return new Response(historyCsv(sql, scope, filters), {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": 'attachment; filename="trades.csv"',
          "cache-control": "no-store",
        },
      });
    }
    const page = await historyPage(sql, scope, filters, {
      limit: query.limit ?? 50,
      cursor: query.cursor,
      before: query.before,
    });
    return Response.json({ items: page.items, nextCursor: page.nextCursor, prevCursor: page.prevCursor });
  },
});
