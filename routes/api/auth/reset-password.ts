import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { passwordSchema, resetPassword } from "../../../services/auth/accounts.ts";

const resetInput = z.object({ token: z.string().min(1).max(200), password: passwordSchema });

export const api = defineApi({
  POST: {
    summary: "Set a new password with the token from the reset email",
    description: "Signs the account out of every session.",
    tags: ["auth"],
    access: "public",
    body: resetInput,
    responses: {
      204: { description: "Password changed" },
      422: { description: "Invalid token or weak password" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { token, password } }) {
    await resetPassword(ctx.state.deps, token, password, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
