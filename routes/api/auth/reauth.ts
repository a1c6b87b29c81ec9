import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { reauthenticate } from "../../../services/auth/accounts.ts";

const reauthInput = z.object({
  password: z.string().min(1).max(1024).optional(),
  code: z.string().trim().min(6).max(32).optional(),
}).refine((v) => v.password || v.code, { message: "send the password or a 2FA code", path: ["password"] });

export const api = defineApi({
  POST: {
    summary: "Confirm it is you (step-up) before a sensitive action",
    description:
      "Payout requests, role changes and 2FA set-up need this within the last 5 minutes (they answer " +
      "403 `step_up_required` otherwise). Wrong passwords share the account's re-check budget, wrong codes " +
      "its 2FA code budget.",
    tags: ["auth"],
    access: "authenticated",
    body: reauthInput,
    responses: {
      204: { description: "Confirmed" },
      422: { description: "Wrong password or code" },
      429: { description: "Too many wrong passwords or codes for this account" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, user }) {
    await reauthenticate(ctx.state.deps, user, body, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
