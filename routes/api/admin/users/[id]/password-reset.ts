import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { rolesWith } from "../../../../../services/auth/roles.ts";
import { sendPasswordReset } from "../../../../../services/users/actions.ts";

export const api = defineApi({
  POST: {
    summary: "Mail the user a password-reset link (admin)",
    description:
      "The same mail as the forgot-password page sends; the user chooses the new password. Audited.",
    tags: ["admin", "users"],
    access: rolesWith("users.manage"),
    params: z.object({ id: z.uuid("No such user.") }),
    responses: {
      202: { description: "The mail is on its way", schema: z.object({ sent: z.literal(true) }) },
      404: { description: "No such user" },
      409: { description: "The account is not active" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { params }) {
    const { deps, actor } = ctx.state;
    await sendPasswordReset(deps, params.id, actor);
    return Response.json({ sent: true }, { status: 202 });
  },
});
