import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { emailSchema, requestPasswordReset } from "../../../services/auth/accounts.ts";

const forgotInput = z.object({ email: emailSchema });

export const api = defineApi({
  POST: {
    summary: "Email a password-reset link",
    description: "Always 202, whether or not the email has an account.",
    tags: ["auth"],
    access: "public",
    body: forgotInput,
    responses: { 202: { description: "If the account exists, a link is on its way" } },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { email } }) {
    await requestPasswordReset(ctx.state.deps, email, ctx.state.actor);
    return new Response(null, { status: 202 });
  },
});
