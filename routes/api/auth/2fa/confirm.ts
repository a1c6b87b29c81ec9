import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { confirmTwoFactor } from "../../../../services/auth/two_factor_settings.ts";
import { codeInput } from "../_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Turn 2FA on with a code from the authenticator app",
    description:
      "Returns recovery codes once; store them safely. The code is exactly 6 digits. Needs a step-up " +
      "(login or POST /api/auth/reauth) within the last 15 minutes; wrong codes share the account's code budget.",
    tags: ["2fa"],
    access: "authenticated",
    body: codeInput,
    responses: {
      200: { description: "2FA enabled", schema: z.object({ recoveryCodes: z.array(z.string()) }) },
      403: { description: "`step_up_required`: confirm with POST /api/auth/reauth first" },
      422: { description: "Wrong code, or not 6 digits" },
      429: { description: "Too many codes tried" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { code }, user }) {
    const { deps, actor } = ctx.state;
    const { recoveryCodes } = await confirmTwoFactor(deps, user, code, actor);
    return Response.json({ recoveryCodes }, { headers: { "cache-control": "no-store" } });
  },
});
