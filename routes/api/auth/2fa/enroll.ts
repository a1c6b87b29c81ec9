import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { beginTwoFactor } from "../../../../services/auth/two_factor_settings.ts";

export const api = defineApi({
  POST: {
    summary: "Start 2FA enrolment: a new TOTP secret as QR code and manual key",
    description:
      "Needs a step-up (login or POST /api/auth/reauth) within the last 5 minutes. Confirm with a " +
      "code from the app (POST /api/auth/2fa/confirm) to turn 2FA on.",
    tags: ["2fa"],
    access: "authenticated",
    responses: {
      200: {
        description: "Scan the QR code or type the key",
        schema: z.object({ secret: z.string(), otpauthUri: z.string(), qrCode: z.string() }),
      },
      403: { description: "`step_up_required`: confirm with POST /api/auth/reauth first" },
      409: { description: "2FA is already enabled" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { user }) {
    const enrolment = await beginTwoFactor(ctx.state.deps, user);
    return Response.json(
      { secret: enrolment.secret, otpauthUri: enrolment.uri, qrCode: enrolment.qrSvgDataUrl },
      { headers: { "cache-control": "no-store" } },
    );
  },
});
