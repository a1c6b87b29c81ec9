import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { requireMoneyStepUp } from "../../../services/auth/step_up.ts";
import { enforce, RATE_RULES } from "../../../services/rate_limit/rules.ts";
import { recordAudit } from "../../../services/audit.ts";
import { exportFileName, exportUserData } from "../../../services/privacy/export.ts";

export const api = defineApi({
  GET: {
    summary: "Download all of your data (GDPR access and portability)",
    description:
      "One JSON document, streamed as an attachment: profile, sessions, orders, challenges, accounts with " +
      "their engine summaries and who trades them (`tradeSource`, `tradePlatform`), trades, account events, " +
      "breaches with evidence, payouts, KYC submissions and document metadata (not the documents), " +
      "notifications and preferences, and the audit entries you made or that concern you. Needs a step-up within the last 5 minutes (POST /api/auth/reauth; with 2FA on, a " +
      "code): the export is everything a stolen session could want. 5 per hour.",
    tags: ["users"],
    access: "authenticated",
    responses: {
      200: { description: "The export (application/json attachment)" },
      403: { description: "step_up_required" },
      429: { description: "Too many exports this hour" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    const { deps, actor } = ctx.state;
    const now = new Date();
    await requireMoneyStepUp(deps.db.sql, user, now);
    await enforce(deps.limiter, RATE_RULES.export_user, user.id);
    await recordAudit(deps.db.sql, actor, "privacy.exported", { type: "user", id: user.id });
    return new Response(await exportUserData(deps.db.sql, user.id, now), {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${exportFileName(now)}"`,
        "cache-control": "no-store",
      },
    });
  },
});
