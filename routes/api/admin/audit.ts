import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import { auditCsv, auditFilterOf, auditQuery, listAudit } from "../../../services/audit_queries.ts";
import { auditRowSchema } from "./users/_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "The audit log (staff with audit.read)",
    description: "Newest first. Filters: `actor` (an email or a user id), `action` (exact, or a family " +
      "ending in `.` such as `auth.`), `targetType` + `targetId`, `from`/`to` (whole days, inclusive, in " +
      "your profile's time zone). Keyset pages: `cursor` = the previous page's `nextCursor`. `format=csv` " +
      "answers every matching entry as CSV (RFC 4180; cells that a spreadsheet would run as a formula are " +
      "prefixed with `'`).",
    tags: ["admin", "audit"],
    access: rolesWith("audit.read"),
    query: auditQuery.extend({
      limit: z.coerce.number().int().min(1).max(1000).optional(),
      format: z.enum(["json", "csv"]).optional(),
    }),
    responses: {
      200: {
        description: "A page of entries (JSON), or all of them (text/csv)",
        schema: z.object({ items: z.array(auditRowSchema), nextCursor: z.string().nullable() }),
      },
      400: { description: "A cursor that is not from this list" },
      422: { description: "A malformed filter" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const { format, limit, ...q } = query;
    const filter = auditFilterOf(q, user.timeZone);
    const sql = ctx.state.deps.db.sql;
    if (format === "csv") {
      const { cursor: _, ...all } = filter;
      return new Response(auditCsv(sql, all), {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": 'attachment; filename="audit.csv"',
          "cache-control": "no-store",
        },
      });
    }
    const page = await listAudit(sql, { ...filter, limit });
    return Response.json({ items: page.items, nextCursor: page.next }, {
      headers: { "cache-control": "no-store" },
    });
  },
});
