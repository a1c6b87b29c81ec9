import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { revokeOwnSession } from "../../../../services/auth/sessions.ts";

export const api = defineApi({
  DELETE: {
    summary: "Sign out one of the caller's sessions",
    tags: ["users"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such session.") }),
    responses: { 204: { description: "Revoked" }, 404: { description: "No such session of yours" } },
  },
});

export const handler = define.api(api, {
  async DELETE(ctx, { params, user }) {
    await revokeOwnSession(ctx.state.deps, user, params.id, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
