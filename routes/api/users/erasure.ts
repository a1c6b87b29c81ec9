import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { requestErasure } from "../../../services/privacy/erase.ts";
import { clearSessionCookies, secureCookies } from "../../(_http)/auth_cookies.ts";

const erasureInput = z.object({
  password: z.string().min(1).max(1024).optional(),
  code: z.string().trim().min(6).max(32).optional(),
  confirm: z.literal(true, "must be true: erasure cannot be undone"),
}).refine((v) => v.password || v.code, { message: "send the password or a 2FA code", path: ["password"] });

const erasureResult = z.object({
  erased: z.boolean(),
  sessionsEnded: z.number(),
  accountsClosed: z.number(),
});

export const api = defineApi({
  POST: {
    summary: "Erase your account (GDPR erasure)",
    description:
      "Anonymises your personal data at once and ends every session; financial records (orders, payouts, " +
      "refunds, accounts, trades, account events, breaches) are kept, linked to the anonymised account, for " +
      "the period the privacy notice states. Confirm with your password, or a 2FA code when 2FA is on, and " +
      "`confirm: true`. Refused (409) for staff and while a payout is under way.",
    tags: ["users"],
    access: "authenticated",
    body: erasureInput,
    responses: {
      200: { description: "Erased; you are signed out everywhere", schema: erasureResult },
      403: { description: "step_up_required: with 2FA on, a code is needed" },
      409: { description: "payout_open or staff_account" },
      422: { description: "Wrong password or code, or not confirmed" },
      429: { description: "Too many wrong passwords or codes" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, user }) {
    const { deps, actor } = ctx.state;
    const result = await requestErasure(deps, user, { password: body.password, code: body.code }, actor);
    if (ctx.state.authVia === "cookie") {
      ctx.state.cookies.push(...clearSessionCookies(secureCookies(deps.config.env, deps.config.appUrl)));
    }
    return Response.json(result);
  },
});
