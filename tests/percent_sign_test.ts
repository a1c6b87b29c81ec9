/**
 * Every share a trader reads is written as services/money_format.ts `percent` writes it: number, no-break
 * space (U+00A0), "%" — so a line never ends on "50" and starts the next with "%". Checked on the pages a
 * trader reads (their text as written, script data included) and in the texts services send (notifications,
 * mail, payout reasons).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { cookieFor } from "./helpers/staff_pages.ts";
import { seedTradingDays } from "./helpers/trading.ts";
import { ftmo100k } from "../services/engine/testing.ts";

/** The places a page writes a number, a plain space and "%": none is the aim. */
function plainSpaced(html: string): string[] {
  const text = html.replace(/<[^>]+>/g, "\n");
  return [...text.matchAll(/[^\n]{0,40}\d %[^\n]{0,20}/g)].map((m) => m[0].trim());
}

Deno.test("percent signs: a no-break space between number and % wherever a trader reads one", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    const start = new Date("2026-06-01T00:00:00Z");
    const plan = ftmo100k({ timeLimitDays: 30, bestDayMaxPercent: "50" });
    const { accountId } = await openTestAccount(deps.db, trader.userId, { plan, at: start });
    await seedTradingDays(deps, accountId, { start, days: 3, perDay: 2 });
    for (
      const path of [
        `/dashboard/accounts/${accountId}`,
        `/trade/${accountId}`,
        "/dashboard/statistics",
        "/dashboard/notifications",
        "/account/notifications",
        "/rules",
        "/challenges",
      ]
    ) {
      await t.step(path, async () => {
        const res = await c.request(path, { headers: { cookie } });
        assert.equal(res.status, 200, path);
        assert.deepEqual(plainSpaced(await res.text()), [], path);
      });
    }
  } finally {
    await close();
  }
});
