import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { readJson } from "../../../../lib/validation.ts";
import { confirmTotpEnrollment } from "../../../../services/auth/two_factor.ts";
import { codeInput } from "../_schemas.ts";
import { enforce, RATE_RULES } from "../../../../services/rate_limit/rules.ts";

export const api = defineApi({
  POST: {
    summary: "Turn 2FA on with a code from the authenticator app",
    description: "Returns recovery codes once; store them safely.",
    tags: ["2fa"],
    access: "authenticated",
    body: codeInput,
    responses: {
      200: { description: "2FA enabled", schema: z.object({ recoveryCodes: z.array(z.string()) }) },
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
    const { recoveryCodes } = await confirmTotpEnrollment(deps.db, deps.totpKey, user!.id, code, actor);
    return Response.json({ recoveryCodes }, { headers: { "cache-control": "no-store" } });
  },
});
