import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { verifyEmail } from "../../../../services/auth/accounts.ts";
import { tokenInput } from "../_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Confirm an email address with the token from the verification email",
    tags: ["auth"],
    access: "public",
    body: tokenInput,
    responses: { 204: { description: "Verified" }, 422: { description: "Invalid, expired or used token" } },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { token } }) {
    await verifyEmail(ctx.state.deps, token, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
