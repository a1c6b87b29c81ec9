import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readJson } from "../../../lib/validation.ts";
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

export const handler = define.handlers({
  async POST(ctx) {
    const { token } = await readJson(ctx.req, tokenInput);
    await confirmEmailChange(ctx.state.deps, token, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
