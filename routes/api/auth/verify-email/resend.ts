import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { resendVerification } from "../../../../services/auth/accounts.ts";

export const api = defineApi({
  POST: {
    summary: "Send a new verification email",
    tags: ["auth"],
    access: "authenticated",
    responses: { 202: { description: "Sent" }, 409: { description: "Already verified" } },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { user }) {
    await resendVerification(ctx.state.deps, user);
    return new Response(null, { status: 202 });
  },
});
