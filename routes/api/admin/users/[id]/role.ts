import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { ROLES, rolesWith } from "../../../../../services/auth/roles.ts";
import { changeRole, roleInput } from "../../../../../services/users/actions.ts";

export const api = defineApi({
  PUT: {
    summary: "Change a user's role (admin, with step-up)",
    description: "Needs a proof of presence within the last 5 minutes (POST /api/auth/reauth with a 2FA " +
      "code), as payouts do. Nobody changes their own role; the last active admin cannot be demoted. Audited " +
      "with the old and new role.",
    tags: ["admin", "users"],
    access: rolesWith("roles.change"),
    params: z.object({ id: z.uuid("No such user.") }),
    body: roleInput,
    bodyLimit: 1024,
    responses: {
      200: { description: "The new role", schema: z.object({ role: z.enum(ROLES) }) },
      403: { description: "`step_up_required`, or your own role" },
      404: { description: "No such user" },
      409: { description: "Already that role, or the last admin" },
      422: { description: "Unknown role" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { params, body, user }) {
    const { deps, actor } = ctx.state;
    return Response.json(await changeRole(deps, user, params.id, body, actor));
  },
});
