import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { confirmEmailChange } from "../../../services/auth/profile.ts";
import { tokenInput } from "./_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Confirm an email change with the token sent to the new address",
    tags: ["auth"],
    access: "public",
    body: tokenInput,
    responses: {
      204: { description: "Email changed" },
      422: { description: "Invalid, expired or used token" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { token } }) {
    await confirmEmailChange(ctx.state.deps, token, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
