/**
 * The home page's product visual and trust figures, and the "most popular" flag on /challenges: computed
 * from the database (and the engine), shown only when real. Keep this file to itself: its first steps need
 * a database without sales (in embedded mode each test file has its own PGlite).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { signUp } from "./helpers/client.ts";
import { seedDemo } from "../services/demo/seed.ts";
import { listActivePlans } from "../services/plans/queries.ts";
import { purchase } from "../services/commerce/purchase.ts";
import { mostPopularPlanId, trustFigures } from "../services/commerce/trust_queries.ts";
import type { Deps } from "../services/deps.ts";
import { compactSize } from "../services/money.ts";

const HTML = "text/html; charset=utf-8";

/** The trust figures block of the home page (empty when it has none). */
function trustBlock(html: string): string {
  return html.match(/<dl aria-label="Track record"[\s\S]*?<\/dl>/)?.[0] ?? "";
}

async function buy(deps: Deps, userId: string, planId: string) {
  return await purchase(deps, { userId, ip: null, userAgent: null }, userId, { planId });
}

/** A funded account and a paid payout for `userId`, as the payout flow leaves them. */
/** A funded account and a paid payout whose trader's share is `amount` (the gross is 1.25× at an 80 % split). */
async function fundAndPay(deps: Deps, userId: string, amount: string) {
  await deps.db.tx(async (tx) => {
    const [account] = await tx<{ id: string }[]>`
      insert into accounts (user_id, type, status, currency, initial_balance, balance, equity)
      values (${userId}, 'funded', 'active', 'USD', 100000, 100000, 100000) returning id`;
    await tx`
      insert into payouts (user_id, account_id, amount, currency, status, trader_share, split_percent,
                           requested_at, approved_at, paid_at, processed_at, reference)
      values (${userId}, ${account.id}, ${amount} * 1.25, 'USD', 'paid', ${amount}, 80,
              now(), now(), now(), now(), 'TEST')`;
    // Requested, not paid: never counted.
    await tx`
      insert into payouts (user_id, account_id, amount, currency, status)
      values (${userId}, ${account.id}, 999, 'USD', 'pending')`;
  });
}

Deno.test("home and challenges: a real product visual; trust figures and the popular flag only when real", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const credentials = await seedDemo(deps.db, deps.totpKey);
    assert.ok(credentials, "this file's database starts empty");
    const plans = await listActivePlans(deps.db);
    const [a, b] = [plans[0], plans[1]];
    const demoTrader = (await deps.db.sql<{ id: string }[]>`
      select id from users where email = ${credentials.trader.email}`)[0].id;

    await t.step("no sales, no payouts: the hero shows the engine's demo curve and no figures", async () => {
      const res = await app.request("/");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.doesNotMatch(html, /<script/i, "the home page ships no JavaScript");
      assert.match(
        html,
        /<svg viewBox="0 0 400 220" role="img" aria-labelledby="showcase-title showcase-desc"/,
      );
      assert.match(html, /<title id="showcase-title">Demo equity curve with its loss floors<\/title>/);
      assert.match(
        html,
        /<desc id="showcase-desc">Equity of a demo One-Step 100K evaluation over 22 trading days, simulated by the rule engine: from \$100,000 to \$\d{3},\d{3}; the daily loss floor ends at \$\d{3},\d{3}, the maximum loss floor at \$100,000; the profit target is \$110,000\.<\/desc>/,
      );
      assert.match(html, /Demo trading, not a customer's account/);
      assert.equal(trustBlock(html), "");
      assert.doesNotMatch(html, /traders? funded|paid out/);
      const challenges = await (await app.request("/challenges")).text();
      assert.doesNotMatch(challenges, /Most popular|"popular":true/);
    });

    await t.step("the demo users' made-up sales and payouts never count", async () => {
      await buy(deps, demoTrader, a.id);
      await fundAndPay(deps, demoTrader, "5000.00");
      assert.deepEqual(await trustFigures(deps.db), { tradersFunded: 0, paidOut: [] });
      assert.equal(await mostPopularPlanId(deps.db), null);
    });

    const [x, y] = [await signUp(app), await signUp(app)];
    await t.step("most popular: the plan with the most paid orders, none on a tie", async () => {
      await buy(deps, x.userId, b.id);
      assert.equal(await mostPopularPlanId(deps.db), b.id);
      await buy(deps, y.userId, a.id);
      assert.equal(await mostPopularPlanId(deps.db), null, "1 : 1 is a tie");
      await buy(deps, y.userId, b.id);
      assert.equal(await mostPopularPlanId(deps.db), b.id);

      const res = await app.request(`/challenges?size=${encodeURIComponent(compactSize(b.initialBalance))}`);
      assert.equal(res.status, 200);
      const html = await res.text();
      // One card (server-rendered inside the island) and one comparison column carry it.
      assert.equal(html.split(">Most popular</p>").length - 1, 1);
      assert.equal(html.split(">Most popular</span>").length - 1, 1);
    });

    await t.step("funded traders and paid payouts appear once real, summed, pending ones aside", async () => {
      await fundAndPay(deps, x.userId, "1250.50");
      await fundAndPay(deps, x.userId, "749.50");
      await fundAndPay(deps, y.userId, "3000.00");
      assert.deepEqual(await trustFigures(deps.db), {
        tradersFunded: 2,
        paidOut: [{ currency: "USD", amount: "5000.00" }],
      });
      // The home page was cached without them: figures arrive when the cached copy is dropped (by its
      // tags or its 5-minute age).
      const cached = await app.request("/");
      assert.equal(cached.headers.get("x-page-cache"), "hit");
      assert.equal(trustBlock(await cached.text()), "");
      app.pageCache.invalidate("site");
      const fresh = await app.request("/");
      assert.equal(fresh.headers.get("x-page-cache"), "miss");
      const block = trustBlock(await fresh.text());
      assert.match(block, /<dt[^>]*>traders funded<\/dt><dd[^>]*>2<\/dd>/);
      assert.match(block, /<dt[^>]*>paid out to traders<\/dt><dd[^>]*>\$5,000<\/dd>/);
    });
  } finally {
    await close();
  }
});
