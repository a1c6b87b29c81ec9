import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { disableTwoFactor } from "../../../../services/auth/two_factor_settings.ts";
import { codeInput } from "../_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Turn 2FA off (needs a current code or a recovery code)",
    tags: ["2fa"],
    access: "authenticated",
    body: codeInput,
    responses: {
      204: { description: "2FA disabled" },
      422: { description: "Wrong code" },
      429: { description: "Too many codes tried" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { code }, user }) {
    const { deps, actor } = ctx.state;
    await disableTwoFactor(deps, user, code, actor);
    return new Response(null, { status: 204 });
  },
});
