import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { listPayouts, PAYOUT_STATUSES, payoutsCsv } from "../../../../services/payouts/queries.ts";
import { staffPayoutSchema } from "../../payouts/_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "The payout queue (staff)",
    description: "Newest first, filtered by `status`, `userId`, `accountId`; keyset pages (`cursor` = the " +
      "previous page's `nextCursor`). `format=csv` (or `Accept: text/csv`) answers the page as CSV. Support " +
      "staff may read the queue; risk and admin decide (PUT /api/admin/payouts/:id).",
    tags: ["admin", "payouts"],
    access: rolesWith("backoffice.view"),
    query: z.object({
      status: z.enum(PAYOUT_STATUSES).optional(),
      userId: z.uuid("must be a user id").optional(),
      accountId: z.uuid("must be an account id").optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
      format: z.enum(["json", "csv"]).optional(),
    }),
    responses: {
      200: {
        description: "A page of payouts (JSON, or text/csv)",
        schema: z.object({ items: z.array(staffPayoutSchema), nextCursor: z.string().nullable() }),
      },
      400: { description: "A cursor that is not from this list" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query }) {
    const { format, ...filter } = query;
    const csv = format === "csv" || (!format && (ctx.req.headers.get("accept") ?? "").includes("text/csv"));
    const page = await listPayouts(ctx.state.deps.db.sql, filter);
    if (!csv) return Response.json(page);
    const headers: Record<string, string> = {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="payouts.csv"',
    };
    if (page.nextCursor) headers["x-next-cursor"] = page.nextCursor;
    return new Response(payoutsCsv(page.items), { headers });
  },
});
