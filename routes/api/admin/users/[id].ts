import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { userDetail } from "../../../../services/users/detail.ts";

export const api = defineApi({
  GET: {
    summary:
      "One user with their accounts, orders, payouts, KYC status, live sessions and audit trail (staff)",
    description:
      "The newest 50 accounts, orders and payouts; the audit trail (entries where the user acted " +
      "or was the target) pages with `auditCursor` = the previous answer's `audit.next`.",
    tags: ["admin", "users"],
    access: rolesWith("users.read"),
    params: z.object({ id: z.uuid("No such user.") }),
    query: z.object({ auditCursor: z.string().max(200).optional() }),
    responses: {
      200: { description: "The user" },
      404: { description: "No such user" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, query }) {
    return Response.json(await userDetail(ctx.state.deps.db.sql, params.id, query.auditCursor), {
      headers: { "cache-control": "no-store" },
    });
  },
});
