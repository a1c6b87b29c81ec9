/**
 * /challenges promises "the exact limit the engine enforces": each daily-loss basis (a percentage of the
 * initial balance, a percentage of the day's anchor, a fixed amount) must read as the engine compiles it,
 * in money where the engine enforces money, and a value shared by every phase is said once.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { type DailyLossRule, planDefinitionSchema } from "../services/plans/definition.ts";

const HTML = "text/html; charset=utf-8";

function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&")
    .replace(/\s+/g, " ").trim();
}

/** The visible text of the plan card whose heading names `family`. */
function cardOf(html: string, family: string): string {
  const start = html.indexOf(`${family} <span`);
  assert.ok(start > 0, `no card for ${family}`);
  return textOf(html.slice(start, html.indexOf("</li>", start)));
}

/** The visible text of `family`'s comparison table. */
function tableOf(html: string, family: string): string {
  const start = html.indexOf(`id="cmp-${family}"`);
  assert.ok(start > 0, `no table for ${family}`);
  return textOf(html.slice(start, html.indexOf("</section>", start)));
}

Deno.test("challenge cards and tables state each daily-loss basis exactly as the engine enforces it", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const tag = crypto.randomUUID().slice(0, 8);
    const base = demoPlans().find((p) => p.slug === "two-step-25k")!.body;
    const plan = (family: string, dailyLoss: DailyLossRule, minDays: [number, number]) => ({
      family,
      body: planDefinitionSchema.parse({
        ...base,
        name: `${family} 41K`,
        initialBalance: "41000.00",
        phases: [
          { ...base.phases[0], dailyLoss, minTradingDays: minDays[0] },
          { ...base.phases[1], dailyLoss, minTradingDays: minDays[1] },
        ],
        funded: { ...base.funded, dailyLoss },
      }),
    });
    const ofB0 = plan(`OfB0${tag}`, {
      percent: "5",
      of: "initial",
      anchor: "sod_balance",
      on: "equity",
      action: "fail",
    }, [4, 4]);
    const ofAnchor = plan(`OfAnchor${tag}`, {
      percent: "5",
      of: "anchor",
      anchor: "sod_equity",
      on: "equity",
      action: "fail",
    }, [4, 0]);
    const fixed = plan(`Fixed${tag}`, {
      amount: "2000.00",
      anchor: "sod_max",
      on: "balance",
      action: "pause",
    }, [3, 3]);
    for (const p of [ofB0, ofAnchor, fixed]) {
      await deps.db.tx((tx) =>
        insertPlan(tx, { slug: p.family.toLowerCase(), family: p.family, body: p.body })
      );
    }

    const res = await app.request("/challenges?size=41K");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), HTML);
    const html = await res.text();

    await t.step("5 % of the initial balance: a fixed amount in money below the day's anchor", () => {
      const card = cardOf(html, ofB0.family);
      assert.match(card, /Daily loss \$2,050 below the day's starting balance Max loss/);
      assert.match(
        tableOf(html, ofB0.family),
        /Daily loss Equity may fall at most \$2,050 \(5 % of the initial balance\) below the day's starting balance; going below fails the account\. Max loss/,
      );
    });

    await t.step("5 % of the day's anchor: a share of that day's level, not of the initial balance", () => {
      const card = cardOf(html, ofAnchor.family);
      assert.match(card, /Daily loss 5 % of the day's starting equity Max loss/);
      assert.match(card, /Daily loss [^$]* Max loss/, "no money figure: the amount changes every day");
      assert.match(
        tableOf(html, ofAnchor.family),
        /Daily loss Equity may fall at most 5 % of the day's starting equity \(\$2,050 on a day that starts at \$41,000\); going below fails the account\. Max loss/,
      );
    });

    await t.step("a fixed amount: that amount below the day's anchor, with its consequence", () => {
      const card = cardOf(html, fixed.family);
      assert.match(
        card,
        /Daily loss \$2,000 below the higher of the day's starting balance and equity Max loss/,
      );
      assert.match(
        tableOf(html, fixed.family),
        /Daily loss Balance may fall at most \$2,000 below the higher of the day's starting balance and equity; going below pauses trading until the next reset\. Max loss/,
      );
    });

    await t.step("a value every phase shares is said once; different values read phase to phase", () => {
      assert.match(cardOf(html, ofB0.family), /Min\. trading days 4 Profit split/);
      assert.match(cardOf(html, ofAnchor.family), /Min\. trading days 4 → none Profit split/);
      assert.match(tableOf(html, ofB0.family), /Min\. trading days 4 trading days Time limit/);
      assert.match(tableOf(html, ofAnchor.family), /Min\. trading days 4 trading days → None Time limit/);
      assert.doesNotMatch(html, /\b(\d+) → \1\b/);
      assert.doesNotMatch(html, /(\d+ trading days), \1/);
    });
  } finally {
    await close();
  }
});
