import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { changePassword, passwordSchema } from "../../../services/auth/accounts.ts";

const changeInput = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });

export const api = defineApi({
  PUT: {
    summary: "Change the password",
    description: "Signs out every other session.",
    tags: ["users"],
    access: "authenticated",
    body: changeInput,
    responses: {
      204: { description: "Changed" },
      422: { description: "Wrong current password or weak new one" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { body, user }) {
    await changePassword(ctx.state.deps, user, body, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
