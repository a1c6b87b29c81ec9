import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { cookieFor, getPage, HTML, postForm } from "./helpers/staff_pages.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { planFields } from "../services/plans/plan_form.ts";
import { priceableCurrencies } from "../services/plans/currencies.ts";
import { mostPopularPlanId } from "../services/commerce/trust_queries.ts";

Deno.test("plans back office: list, editor with inline errors, new versions, selling, most popular", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const support = await makeStaff(deps, "support");
    const risk = await makeStaff(deps, "risk");
    const trader = await signUp(app);
    const cookie = cookieFor(admin);
    const tag = crypto.randomUUID().slice(0, 8);
    const base = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
    const body = { ...base, name: `Pages ${tag} 100K` };
    const family = `Pages${tag}`;
    const { planId, versionId: v1 } = await deps.db.tx((tx) =>
      insertPlan(tx, { slug: `pages-${tag}`, family, body })
    );
    const fields = planFields(body, { family, slug: `pages-${tag}` });

    await t.step("support and risk get the 404 page; the APIs answer them 403", async () => {
      for (const who of [support, risk]) {
        for (const path of ["/admin/plans", "/admin/plans/new", `/admin/plans/${planId}`]) {
          const res = await getPage(c, path, cookieFor(who));
          assert.equal(res.status, 404, `${who.role} ${path}`);
          assert.equal(res.headers.get("content-type"), HTML);
          await res.body?.cancel();
        }
        await expectError(
          await c.json("POST", "/api/admin/plans/preview", body, { bearer: who.accessToken }),
          403,
        );
      }
      await expectError(
        await c.json("POST", "/api/admin/plans/preview", body, { bearer: trader.accessToken }),
        403,
      );
    });

    await t.step("the list shows status, price, phases and accounts per version", async () => {
      const bought = await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      });
      assert.equal(bought.status, 201);
      await bought.body?.cancel();
      const res = await getPage(c, "/admin/plans", cookie);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      const at = html.indexOf(`href="/admin/plans/${planId}"`);
      const row = html.slice(at, html.indexOf("</tr>", at));
      assert.match(row, /Selling/);
      assert.match(row, /\$540/);
      assert.match(row, /Challenge → Verification → Funded/);
      assert.match(row, /v1: 1/);
    });

    await t.step("the editor renders the plan's fields and the server-side preview", async () => {
      const res = await getPage(c, `/admin/plans/${planId}`, cookie);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(html, /name="phases\.0\.profitTarget\.value"[^>]*value="10"/);
      assert.match(html, /Live preview/);
      assert.match(
        html,
        /On a \$100,000 account, your balance must reach \$110,000 with no open positions\./,
      );
      assert.match(html, /Daily loss floor on day one/);
    });

    await t.step(
      "the currency is a choice of those the venue prices, the plan's own selected, on both editors",
      async () => {
        const priced = await priceableCurrencies(deps.db.sql);
        assert.ok(priced.length > 1 && priced.includes("USD") && priced.includes("EUR"), priced.join());
        const options = (html: string) => {
          const select = html.match(/<select[^>]*name="currency"[^>]*>([\s\S]*?)<\/select>/);
          assert.ok(select, "a <select> named currency");
          return [...select[1].matchAll(/<option value="([^"]*)"( selected)?/g)].map((m) =>
            m[2] ? `${m[1]}*` : m[1]
          );
        };
        const edit = await (await getPage(c, `/admin/plans/${planId}`, cookie)).text();
        assert.deepEqual(options(edit), priced.map((code) => code === "USD" ? "USD*" : code));
        const fresh = await (await getPage(c, "/admin/plans/new", cookie)).text();
        assert.deepEqual(options(fresh), priced.map((code) => code === "USD" ? "USD*" : code));
        // A plan sold in a currency the venue no longer prices keeps it, selected and said to be so (its
        // other settings can still be saved; new rules in it are refused by the server, as before).
        const sek = await deps.db.tx((tx) =>
          insertPlan(tx, {
            slug: `sek-${tag}`,
            family,
            body: { ...body, name: `SEK ${tag}`, currency: "SEK" },
          })
        );
        const kept = await (await getPage(c, `/admin/plans/${sek.planId}`, cookie)).text();
        assert.deepEqual(options(kept), [...priced, "SEK*"].sort());
        assert.match(kept, /<option value="SEK" selected>SEK — not priced by the venue now<\/option>/);
      },
    );

    await t.step("bad input comes back inline, next to each field, with nothing saved", async () => {
      const res = await postForm(c, `/admin/plans/${planId}`, cookie, {
        ...fields,
        intent: "save",
        "phases.0.dailyLoss.value": "150",
        "phases.1.minTradingDays": "four",
        "reset.timeZone": "Mars/Olympus",
      });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get("content-type"), HTML);
      const html = await res.text();
      assert.match(
        html,
        /id="phases\.0\.dailyLoss\.value-error"[^>]*>[\s\S]*?must be greater than 0 and at most 100/,
      );
      assert.match(html, /id="phases\.1\.minTradingDays-error"[^>]*>[\s\S]*?must be a whole number/);
      assert.match(html, /id="reset\.timeZone-error"[^>]*>[\s\S]*?IANA time zone/);
      assert.match(html, /value="150"/, "the typed value is kept");
      const [{ n }] = await deps.db
        .sql`select count(*)::int as n from plan_versions where plan_id = ${planId}`;
      assert.equal(n, 1);
    });

    await t.step("forged choices are refused inline, not rewritten and saved as a version", async () => {
      // The form offers dropdowns; a hand-made post used to be clamped or defaulted into a new version.
      const forged: [Record<string, string>, RegExp][] = [
        [
          { phaseCount: "7" },
          /id="phaseCount-error"[^>]*>[\s\S]*?Number of phases must be a whole number from 1 to 5/,
        ],
        [
          { phaseCount: "x" },
          /id="phaseCount-error"[^>]*>[\s\S]*?Number of phases must be a whole number from 1 to 5/,
        ],
        [
          { "phases.0.dailyLoss.kind": "percent_of_nothing" },
          /id="phases\.0\.dailyLoss\.kind-error"[^>]*>[\s\S]*?Daily limit must be one of/,
        ],
        [
          { "funded.maxLoss.kind": "bogus" },
          /id="funded\.maxLoss\.kind-error"[^>]*>[\s\S]*?Overall limit must be one of/,
        ],
        [
          { "phases.1.profitTarget.kind": "bogus" },
          /id="phases\.1\.profitTarget\.kind-error"[^>]*>[\s\S]*?Target must be one of/,
        ],
        [
          { currency: "XXX" },
          /id="currency-error"[^>]*>[\s\S]*?Currency must be one the venue prices:[^<]*USD/,
        ],
      ];
      for (const [change, error] of forged) {
        const res = await postForm(c, `/admin/plans/${planId}`, cookie, {
          ...fields,
          ...change,
          intent: "save",
        });
        const what = JSON.stringify(change);
        assert.equal(res.status, 422, what);
        const html = await res.text();
        assert.match(html, error, what);
        assert.match(html, /Nothing was saved/, what);
        assert.match(html, /name="phases\.0\.profitTarget\.value"[^>]*value="10"/, `${what}: values kept`);
        const [{ n }] = await deps.db
          .sql`select count(*)::int as n from plan_versions where plan_id = ${planId}`;
        assert.equal(n, 1, what);
        const [{ audits }] = await deps.db.sql`
          select count(*)::int as audits from audit_log where action = 'admin.plan_versioned' and target_id = ${planId}`;
        assert.equal(audits, 0, what);
      }
    });

    await t.step("saving unchanged rules publishes no version", async () => {
      const res = await postForm(c, `/admin/plans/${planId}`, cookie, { ...fields, intent: "save" });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `/admin/plans/${planId}?saved=unchanged`);
      const [{ n }] = await deps.db
        .sql`select count(*)::int as n from plan_versions where plan_id = ${planId}`;
      assert.equal(n, 1);
    });

    await t.step(
      "a rule change publishes version 2; the old account keeps v1; history shows the diff",
      async () => {
        const res = await postForm(c, `/admin/plans/${planId}`, cookie, {
          ...fields,
          intent: "save",
          "phases.0.profitTarget.value": "12",
          price: "499",
        });
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), `/admin/plans/${planId}?saved=versioned`);
        const [plan] = await deps.db.sql`select current_version from plans where id = ${planId}`;
        assert.equal(plan.current_version, 2);
        const accounts = await deps.db.sql`
        select a.plan_version_id from accounts a join challenges ch on ch.id = a.challenge_id
        where ch.user_id = ${trader.userId}`;
        assert.deepEqual(accounts.map((a) => a.plan_version_id), [v1]);
        const [audit] = await deps.db.sql`
        select actor_id, details from audit_log where action = 'admin.plan_versioned' and target_id = ${planId}`;
        assert.equal(audit.actor_id, admin.userId);
        assert.deepEqual([audit.details.from, audit.details.version], [1, 2]);

        const page = await getPage(c, `/admin/plans/${planId}?saved=versioned`, cookie);
        assert.equal(page.status, 200);
        const html = await page.text();
        assert.match(html, /Saved as a new version/);
        assert.match(
          html,
          /Phase 1 \(Challenge\) · Profit target · percent<\/th><td[^>]*>10 %<\/td><td[^>]*>12 %/,
        );
        assert.match(html, /Price<\/th><td[^>]*>\$540<\/td><td[^>]*>\$499/);
        const list = await (await getPage(c, "/admin/plans", cookie)).text();
        assert.match(list, /v2: 0 · v1: 1/);
      },
    );

    await t.step(
      "the phase count button adds a phase block copied from the one before, unsaved",
      async () => {
        const res = await postForm(c, `/admin/plans/${planId}`, cookie, {
          ...fields,
          phaseCount: "3",
          intent: "layout",
        });
        assert.equal(res.status, 200);
        const html = await res.text();
        assert.match(html, /name="phases\.2\.name"[^>]*value="Phase 3"/);
        assert.match(html, /name="phases\.2\.profitTarget\.value"[^>]*value="5"/);
      },
    );

    await t.step("stop and resume selling, audited", async () => {
      const stop = await postForm(c, `/admin/plans/${planId}`, cookie, { intent: "stop" });
      assert.equal(stop.status, 303);
      const listed = (await (await c.request("/api/challenges")).json()).plans;
      assert.ok(!listed.some((p: { id: string }) => p.id === planId));
      assert.match(await (await getPage(c, "/admin/plans", cookie)).text(), /Stopped/);
      await postForm(c, `/admin/plans/${planId}`, cookie, { intent: "resume" }).then((r) => r.body?.cancel());
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from audit_log where action = 'admin.plan_updated' and target_id = ${planId}
          and actor_id = ${admin.userId}`;
      assert.equal(n, 2);
    });

    await t.step(
      "the staff-chosen most popular mark wins over orders, and /challenges shows it",
      async () => {
        const res = await postForm(c, `/admin/plans/${planId}`, cookie, { intent: "feature" });
        assert.equal(res.status, 303);
        assert.equal(await mostPopularPlanId(deps.db), planId);
        const challenges = await (await c.request("/challenges")).text();
        assert.match(challenges, new RegExp(`Pages ${tag} 100K|${family}`));
        assert.equal(challenges.split(">Most popular</span>").length - 1, 1);
        // Another plan chosen clears this one's mark (one at most).
        const other = await deps.db.tx((tx) =>
          insertPlan(tx, { slug: `pages-other-${tag}`, family, body: { ...body, name: `Other ${tag}` } })
        );
        await postForm(c, `/admin/plans/${other.planId}`, cookie, { intent: "feature" }).then((r) =>
          r.body?.cancel()
        );
        const flags = await deps.db.sql`select id from plans where featured`;
        assert.deepEqual(flags.map((r) => r.id), [other.planId]);
        // A chosen plan that is not on sale does not win.
        await postForm(c, `/admin/plans/${other.planId}`, cookie, { intent: "stop" }).then((r) =>
          r.body?.cancel()
        );
        assert.notEqual(await mostPopularPlanId(deps.db), other.planId);
        await postForm(c, `/admin/plans/${other.planId}`, cookie, { intent: "unfeature" }).then((r) =>
          r.body?.cancel()
        );
        const [audit] = await deps.db.sql`
        select details from audit_log where action = 'admin.plan_updated' and target_id = ${other.planId}
        order by at desc limit 1`;
        assert.deepEqual(audit.details.changes, { featured: false });
      },
    );

    await t.step("a blank name or family is said in words, inline and in the preview", async () => {
      // The new-plan page starts blank: its preview listed "family Too small: expected string to have >=1
      // characters" (zod's wording, the path for a label), and a save said the same beside the fields.
      const fresh = await (await getPage(c, "/admin/plans/new", cookie)).text();
      assert.match(fresh, /Family<\/a> is required/);
      assert.match(fresh, /Name<\/a> is required/);
      assert.doesNotMatch(fresh, /Too small|expected string/);
      const res = await postForm(c, "/admin/plans/new", cookie, {
        ...fields,
        intent: "save",
        slug: "",
        name: " ",
        family: "",
        "phases.0.name": "",
      });
      assert.equal(res.status, 422);
      const html = await res.text();
      assert.match(html, /id="name-error"[^>]*>[\s\S]*?Name is required/);
      assert.match(html, /id="family-error"[^>]*>[\s\S]*?Family is required/);
      assert.match(html, /id="phases\.0\.name-error"[^>]*>[\s\S]*?Phase name is required/);
      assert.doesNotMatch(html, /Too small|Too big|expected string/);
    });

    await t.step("creating a plan from the form; a taken slug is an inline error", async () => {
      const res = await postForm(c, "/admin/plans/new", cookie, {
        ...fields,
        intent: "save",
        slug: `pages-${tag}`,
        name: `Created ${tag}`,
      });
      assert.equal(res.status, 409);
      assert.match(await res.text(), /id="slug-error"[^>]*>[\s\S]*?is taken/);
      const ok = await postForm(c, "/admin/plans/new", cookie, {
        ...fields,
        intent: "save",
        slug: "",
        name: `Created ${tag}`,
      });
      assert.equal(ok.status, 303);
      const [created] = await deps.db.sql`select id, slug from plans where name = ${`Created ${tag}`}`;
      assert.equal(created.slug, `created-${tag}`);
      assert.equal(ok.headers.get("location"), `/admin/plans/${created.id}?saved=created`);
    });

    await t.step(
      "the preview API renders a draft with the /rules generator, or names the bad fields",
      async () => {
        const res = await c.json("POST", "/api/admin/plans/preview", body, { bearer: admin.accessToken });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const preview = await res.json();
        assert.equal(preview.figures.dailyFloor, "95000.00");
        assert.deepEqual(preview.figures.targetBalances, ["110000.00", "105000.00"]);
        assert.match(preview.rules.dailyLoss[0].examples[0], /must not fall below \$95,000/);
        const bad = await c.json("POST", "/api/admin/plans/preview", { ...body, price: "-1" }, {
          bearer: admin.accessToken,
        });
        assert.ok((await expectError(bad, 422)).error.fields!.price);
      },
    );
  } finally {
    await close();
  }
});
