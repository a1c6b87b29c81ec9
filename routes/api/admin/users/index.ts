import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { listUsers, userListQuery } from "../../../../services/users/list.ts";
import { staffUserSchema } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "Find users (staff)",
    description:
      "`q` searches email and name, case-insensitive: 3+ characters match anywhere, 1–2 the start " +
      "of the email. Filters: `role`, `status`, `kyc` (the latest submission's status, `none` before one), " +
      "`funded` (`yes`/`no`: has a funded account). `sort`: `created` (newest first, default), `email`, " +
      "`name` (last, first). Keyset pages: pass the previous page's `nextCursor` as `cursor` with the same " +
      "filters and sort; rows added meanwhile never shift a page.",
    tags: ["admin", "users"],
    access: rolesWith("users.read"),
    query: userListQuery,
    responses: {
      200: {
        description: "A page of users",
        schema: z.object({ items: z.array(staffUserSchema), nextCursor: z.string().nullable() }),
      },
      400: { description: "A cursor that is not from this list" },
      422: { description: "An unknown filter value" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query }) {
    return Response.json(await listUsers(ctx.state.deps.db.sql, query), {
      headers: { "cache-control": "no-store" },
    });
  },
});
