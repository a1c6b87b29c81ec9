import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { validate } from "../../../../lib/validation.ts";
import { revokeOwnSession } from "../../../../services/auth/sessions.ts";

const params = z.object({ id: z.uuid("must be a session id") });

export const api = defineApi({
  DELETE: {
    summary: "Sign out one of the caller's sessions",
    tags: ["users"],
    access: "authenticated",
    responses: { 204: { description: "Revoked" }, 404: { description: "No such session of yours" } },
  },
});

export const handler = define.api(api, {
  async DELETE(ctx, { user }) {
    const { id } = validate(params, ctx.params);
    await revokeOwnSession(ctx.state.deps, user, id, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
