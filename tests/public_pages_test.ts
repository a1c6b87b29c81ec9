import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { planDefinitionSchema } from "../services/plans/definition.ts";
import { textOf } from "./helpers/html.ts";

const HTML = "text/html; charset=utf-8";

Deno.test("public pages: rules, legal, sitemap, robots", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    // A family nobody else has, with one $40,000 plan: it is its own reference plan for the worked examples.
    const tag = crypto.randomUUID().slice(0, 8);
    const family = `Rules${tag}`;
    const base = demoPlans().find((p) => p.slug === "two-step-25k")!.body;
    const body = planDefinitionSchema.parse({
      ...base,
      name: `Rules test ${tag}`,
      initialBalance: "40000.00",
      price: "250.00",
      reset: { timeZone: "Asia/Tokyo", time: "07:30" },
      phases: [
        { ...base.phases[0], minTradingDays: 6 },
        { ...base.phases[1], timeLimitDays: 60, bestDayMaxPercent: "40" },
      ],
      funded: {
        ...base.funded,
        profitSplitPercent: "75",
        dailyLoss: { ...base.funded.dailyLoss!, action: "pause" },
      },
    });
    await deps.db.tx((tx) => insertPlan(tx, { slug: `rules-${tag}`, family, body }));

    await t.step("rules: 200, HTML, no script, the test plan's figures computed exactly", async () => {
      const res = await app.request("/rules");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.doesNotMatch(html, /<script/i);
      assert.match(html, /<title>Trading rules · PropTrade Pro<\/title>/);
      assert.equal(html.match(/<h1[\s>]/g)?.length, 1);

      const section = html.slice(
        html.indexOf(`>${family}</h2>`),
        html.indexOf("</section>", html.indexOf(`>${family}</h2>`)),
      );
      assert.ok(section.length > 0, `no section for ${family}`);
      const text = textOf(section);
      assert.match(text, /Daily reset 07:30 in the Asia\/Tokyo time zone/);
      assert.match(text, /use the \$40,000 account/);
      // Targets: 10 % and 5 % of 40,000.
      assert.match(text, /Reach a profit of 10 % of the initial balance \(\$4,000\)/);
      assert.match(text, /your balance must reach \$44,000 with no open positions/);
      assert.match(text, /your balance must reach \$42,000 with no open positions/);
      // Daily loss: 5 % of the initial balance below the day's starting balance; the funded account pauses.
      assert.match(
        text,
        /on a day that starts at \$40,000 your equity must not fall below \$38,000 that day/,
      );
      assert.match(text, /If your balance is \$40,800 at a reset, your equity must not fall below \$38,800/);
      assert.match(
        text,
        /Challenge · Verification Each day the equity \(including open positions\) may fall at most \$2,000 \(5 % of the initial balance\) below the day's starting balance, fixed at 07:30 Asia\/Tokyo time\. If it does, the account fails\./,
      );
      assert.match(
        text,
        /Funded account Each day .* trading is paused until the next reset at 07:30 Asia\/Tokyo time; the account does not fail/,
      );
      // Max loss: static 10 %.
      assert.match(text, /your equity must never fall below \$36,000/);
      // Phase-specific rules.
      assert.match(text, /Trade on at least 6 different days/);
      assert.match(text, /Pass within 60 days/);
      assert.match(text, /total profit is at least \$5,000/); // $2,000 target made in one day, 40 % rule
      assert.match(text, /on \$2,000 of profit you receive \$1,500/); // 75 % split
      // The size table: balances to reach and floors.
      assert.match(text, /\$40,000 \$44,000 \$42,000 \$38,000 \$36,000/);
    });

    await t.step("rules: cached until plans change", async () => {
      const hit = await app.request("/rules");
      assert.equal(hit.headers.get("x-page-cache"), "hit");
      await hit.body?.cancel();
    });

    for (
      const [path, title, key] of [
        ["/legal/terms", "Terms of service", /simulated account/],
        ["/legal/privacy", "Privacy policy", /Identity documents \(KYC\)[\s\S]*strictly necessary cookies/],
        ["/legal/risk", "Risk disclosure", /No investment advice/],
      ] as const
    ) {
      await t.step(`${path}: 200, HTML, no script, its own title and description`, async () => {
        const res = await app.request(path);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), HTML);
        const html = await res.text();
        assert.doesNotMatch(html, /<script/i);
        assert.match(html, new RegExp(`<title>${title} · PropTrade Pro</title>`));
        assert.equal(html.match(/<h1[\s>]/g)?.length, 1);
        assert.match(html, key);
        assert.match(html, new RegExp(`<link rel="canonical" href="http://localhost:8000${path}"/>`));
        assert.match(html, new RegExp(`<meta property="og:url" content="http://localhost:8000${path}"/>`));
        assert.match(html, new RegExp(`<meta property="og:title" content="${title} · PropTrade Pro"/>`));
        assert.match(html, /<meta name="twitter:card" content="summary"\/>/);
        assert.match(html, /<a class="link" href="\/rules">Rules<\/a>/); // footer
      });
    }

    await t.step(
      "privacy: contact address on the configured host, every stored kind of data named",
      async () => {
        const text = textOf(await (await app.request("/legal/privacy")).text());
        for (
          const kind of [
            "Account data",
            "Trading data",
            "Identity documents (KYC)",
            "Audit and security logs",
            "Mail log",
          ]
        ) {
          assert.ok(text.includes(kind), kind);
        }
        assert.match(text, /privacy@localhost/);
        assert.match(text, /no cookie banner/);
      },
    );

    await t.step("titles and descriptions are unique across the pages of the sitemap", async () => {
      const xml = await (await app.request("/sitemap.xml")).text();
      const paths = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname);
      const heads = await Promise.all(paths.map(async (path) => {
        const html = await (await app.request(path)).text();
        return {
          title: html.match(/<title>([^<]*)<\/title>/)![1],
          description: html.match(/<meta name="description" content="([^"]*)"/)![1],
        };
      }));
      assert.equal(new Set(heads.map((h) => h.title)).size, paths.length);
      assert.equal(new Set(heads.map((h) => h.description)).size, paths.length);
    });

    await t.step("sitemap: every public page by absolute URL, and each of them answers 200", async () => {
      const res = await app.request("/sitemap.xml");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/xml; charset=utf-8");
      const xml = await res.text();
      assert.match(
        xml,
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/,
      );
      const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
      for (const path of ["/", "/challenges", "/rules", "/legal/terms", "/legal/privacy", "/legal/risk"]) {
        assert.ok(locs.includes(`http://localhost:8000${path}`), path);
      }
      for (const loc of locs) {
        const page = await app.request(new URL(loc).pathname);
        assert.equal(page.status, 200, loc);
        await page.body?.cancel();
      }
    });

    await t.step("robots.txt: references the sitemap absolutely, keeps the API out", async () => {
      const res = await app.request("/robots.txt");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
      const text = await res.text();
      assert.match(text, /^Sitemap: http:\/\/localhost:8000\/sitemap\.xml$/m);
      assert.match(text, /^Disallow: \/api\/$/m);
    });

    await t.step("navigation: header and footer link only to pages that exist", async () => {
      const html = await (await app.request("/")).text();
      const hrefs = [...new Set([...html.matchAll(/<a [^>]*href="(\/[^"#]*)"/g)].map((m) => m[1]))];
      assert.ok(hrefs.includes("/rules") && hrefs.includes("/legal/privacy"), hrefs.join());
      for (const href of hrefs) {
        const res = await app.request(href);
        assert.equal(res.status, 200, href);
        await res.body?.cancel();
      }
    });
  } finally {
    await close();
  }
});
