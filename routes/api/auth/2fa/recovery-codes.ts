import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { replaceRecoveryCodes } from "../../../../services/auth/two_factor_settings.ts";
import { codeInput } from "../_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Replace the recovery codes (needs a current code)",
    tags: ["2fa"],
    access: "authenticated",
    body: codeInput,
    responses: {
      200: {
        description: "New codes; the old ones stop working",
        schema: z.object({ recoveryCodes: z.array(z.string()) }),
      },
      422: { description: "Wrong code" },
      429: { description: "Too many codes tried" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { code }, user }) {
    const { deps, actor } = ctx.state;
    const result = await replaceRecoveryCodes(deps, user, code, actor);
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  },
});
