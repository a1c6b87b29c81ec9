import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { readJson } from "../../../../lib/validation.ts";
import { disableTotp } from "../../../../services/auth/two_factor.ts";
import { codeInput } from "../_schemas.ts";
import { enforce, RATE_RULES } from "../../../../services/rate_limit/rules.ts";

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

export const handler = define.handlers({
  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    const { code } = await readJson(ctx.req, codeInput);
    await enforce(deps.limiter, RATE_RULES.totp_account, user!.id);
    await disableTotp(deps.db, deps.totpKey, user!.id, code, actor);
    return new Response(null, { status: 204 });
  },
});
