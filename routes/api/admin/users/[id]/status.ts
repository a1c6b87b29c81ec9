import { z } from "zod";
import { define } from "../../../../_define.ts";
import { defineApi } from "../../../../../lib/api.ts";
import { rolesWith } from "../../../../../services/auth/roles.ts";
import { setUserStatus, statusInput } from "../../../../../services/users/actions.ts";

export const api = defineApi({
  PUT: {
    summary: "Suspend a user, or lift the suspension (admin)",
    description: '`{"status":"suspended","reason":"…"}` ends every session, refresh token and open stream ' +
      'of the user at once, and they cannot sign in until `{"status":"active","reason":"…"}`. ' +
      "Audited with the reason.",
    tags: ["admin", "users"],
    access: rolesWith("users.manage"),
    params: z.object({ id: z.uuid("No such user.") }),
    body: statusInput,
    bodyLimit: 4096,
    responses: {
      200: {
        description: "The new status and how many sessions ended",
        schema: z.object({ status: z.enum(["active", "suspended"]), sessionsEnded: z.number().int() }),
      },
      403: { description: "Your own account" },
      404: { description: "No such user" },
      409: { description: "Already in that status, or the account is closed" },
      422: { description: "Invalid status or reason" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { params, body, user }) {
    const { deps, actor } = ctx.state;
    return Response.json(await setUserStatus(deps, user, params.id, body, actor));
  },
});
