import { define } from "../_define.ts";
import { Unprocessable } from "../../lib/errors.ts";
import { fieldErrors } from "../../lib/validation.ts";
import { historyFiltersOf, historyQuerySchema } from "../../services/trading/filters.ts";
import { historyScope } from "../../services/trading/history.ts";
import { historyCsv } from "../../services/trading/history_csv.ts";

/** The history page's CSV link: the same filters (dates in the viewer's zone), every matching row. */
export const access = "authenticated";

export const handler = define.handlers({
  async GET(ctx) {
    const { deps, actor } = ctx.state;
    const user = ctx.state.user;
    const parsed = historyQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
    if (!parsed.success) throw new Unprocessable(fieldErrors(parsed.error));
    const filters = historyFiltersOf(parsed.data, user.timeZone);
    const scope = await historyScope(deps.db.sql, { ...user, actor }, filters);
    const day = new Date().toISOString().slice(0, 10);
    return new Response(historyCsv(deps.db.sql, scope, filters), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="trades-${day}.csv"`,
        "cache-control": "no-store",
      },
    });
  },
}, { access });
