import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { demoPlans } from "../services/demo/seed.ts";
import type { PlanDefinition } from "../services/plans/definition.ts";

/** The seeded two-step 100K body under a unique name (so its derived slug is unique too). */
function planBody(overrides: Partial<PlanDefinition> = {}): PlanDefinition {
  const body = structuredClone(demoPlans().find((p) => p.slug === "two-step-100k")!.body);
  return { ...body, name: `Admin Test ${crypto.randomUUID().slice(0, 8)}`, ...overrides };
}

Deno.test("plans admin API: create, version, stop selling; public listing; audit; page cache", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const support = await makeStaff(deps, "support");
    const trader = await signUp(app);
    const asAdmin = { bearer: admin.accessToken };
    const family = `Family ${crypto.randomUUID().slice(0, 6)}`;
    let planId = "";
    let v1 = "";

    await t.step("anonymous 401; trader and support (no plans.manage) 403 on every operation", async () => {
      const id = crypto.randomUUID();
      const calls: [string, string, unknown][] = [
        ["GET", "/api/admin/plans", undefined],
        ["POST", "/api/admin/plans", { family, ...planBody() }],
        ["GET", `/api/admin/plans/${id}`, undefined],
        ["PUT", `/api/admin/plans/${id}`, planBody()],
        ["PATCH", `/api/admin/plans/${id}`, { active: false }],
      ];
      for (const [method, path, body] of calls) {
        await expectError(
          await c.json(method, path, body),
          401,
          "unauthorized",
          `anonymous ${method} ${path}`,
        );
        for (const who of [trader, support]) {
          const res = await c.json(method, path, body, { bearer: who.accessToken });
          await expectError(res, 403, "forbidden", `${who.role} ${method} ${path}`);
        }
      }
    });

    await t.step("POST creates version 1 with a slug derived from the name, and audits it", async () => {
      const body = planBody();
      const res = await c.json("POST", "/api/admin/plans", { family, ...body }, asAdmin);
      assert.equal(res.status, 201);
      assert.equal(res.headers.get("content-type"), "application/json");
      const plan = await res.json();
      planId = plan.id;
      v1 = plan.versionId;
      assert.equal(res.headers.get("location"), `/api/admin/plans/${plan.id}`);
      assert.equal(plan.slug, body.name.toLowerCase().replaceAll(" ", "-"));
      assert.equal(plan.family, family);
      assert.equal(plan.version, 1);
      assert.equal(plan.active, true);
      assert.equal(plan.price, "540.00");
      assert.equal(plan.initialBalance, "100000.00");
      assert.deepEqual(plan.definition, body);
      assert.deepEqual(plan.versions.map((v: { version: number }) => v.version), [1]);
      const [audit] = await deps.db.sql`
        select actor_id, details from audit_log where action = 'admin.plan_created' and target_id = ${planId}`;
      assert.equal(audit.actor_id, admin.userId);
      assert.equal(audit.details.slug, plan.slug);
    });

    await t.step("the public listing shows it with its rules; GET one and the list agree", async () => {
      const res = await c.request("/api/challenges");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const listed = (await res.json()).plans.find((p: { id: string }) => p.id === planId);
      assert.equal(listed.version, 1);
      assert.equal(listed.family, family);
      assert.equal(listed.phases.length, 2);
      assert.equal(listed.phases[0].profitTarget.percent, "10");
      assert.equal(listed.funded.profitSplitPercent, "80");
      assert.equal(listed.reset.timeZone, "Europe/Prague");
      assert.equal("versionId" in listed, false);

      const one = await (await c.json("GET", `/api/admin/plans/${planId}`, undefined, asAdmin)).json();
      const all = await (await c.json("GET", "/api/admin/plans", undefined, asAdmin)).json();
      assert.deepEqual(all.plans.find((p: { id: string }) => p.id === planId), one);
      await expectError(
        await c.json("GET", `/api/admin/plans/${crypto.randomUUID()}`, undefined, asAdmin),
        404,
      );
    });

    await t.step("invalid plans are a 422 naming every offending field path", async () => {
      const bad = planBody();
      bad.phases[0].dailyLoss = { ...bad.phases[0].dailyLoss!, percent: "150" } as never;
      bad.phases[1].maxLoss = { percent: "10", mode: "sideways", lockAtOffset: null } as never;
      const res = await c.json(
        "POST",
        "/api/admin/plans",
        { ...bad, currency: "usd", slug: "Not A Slug" },
        asAdmin,
      );
      const { error } = await expectError(res, 422, "unprocessable");
      assert.deepEqual(Object.keys(error.fields!).sort(), [
        "currency",
        "family",
        "phases.0.dailyLoss.percent",
        "phases.1.maxLoss.mode",
        "slug",
      ]);
      const put = await c.json("PUT", `/api/admin/plans/${planId}`, { ...planBody(), phases: [] }, asAdmin);
      assert.ok((await expectError(put, 422)).error.fields!.phases);
      const symbols = await c.json(
        "POST",
        "/api/admin/plans",
        { family, ...planBody({ name: "!!!" }) },
        asAdmin,
      );
      assert.equal(
        (await expectError(symbols, 422)).error.fields!.slug,
        "cannot be derived from the name; send one",
      );
    });

    await t.step(
      "too many phases, an unknown rule form or an unpriced currency: 422, no version",
      async () => {
        const versions = async () =>
          (await deps.db.sql`select count(*)::int as n from plan_versions where plan_id = ${planId}`)[0].n;
        const before = await versions();
        const body = planBody();
        const odd = structuredClone(body);
        odd.phases[0].dailyLoss = { ...odd.phases[0].dailyLoss!, of: "nothing" } as never;
        const cases: [unknown, string][] = [
          [{ ...body, phases: Array(6).fill(body.phases[0]) }, "phases"],
          [odd, "phases.0.dailyLoss.of"],
          [{ ...body, currency: "XXX" }, "currency"],
          [{ ...body, currency: "XAU" }, "currency"],
        ];
        for (const [put, field] of cases) {
          const res = await c.json("PUT", `/api/admin/plans/${planId}`, put, asAdmin);
          const { error } = await expectError(res, 422, "unprocessable", field);
          assert.deepEqual(Object.keys(error.fields!), [field]);
        }
        const created = await c.json(
          "POST",
          "/api/admin/plans",
          { family, ...body, currency: "XXX" },
          asAdmin,
        );
        const { error } = await expectError(created, 422, "unprocessable");
        assert.match(error.fields!.currency, /^must be one the venue prices: .*USD/);
        assert.equal(await versions(), before);
        const [{ n }] = await deps.db.sql`select count(*)::int as n from plans where name = ${body.name}`;
        assert.equal(n, 0);
        // A currency with a USD pair at the venue is accepted (a new plan: the next step counts versions).
        const eur = await c.json(
          "POST",
          "/api/admin/plans",
          { family, ...planBody({ currency: "EUR" }) },
          asAdmin,
        );
        assert.equal(eur.status, 201);
        assert.equal((await eur.json()).currency, "EUR");
      },
    );

    await t.step("a duplicate slug is a 409", async () => {
      const [{ slug }] = await deps.db.sql`select slug from plans where id = ${planId}`;
      const res = await c.json("POST", "/api/admin/plans", { slug, family, ...planBody() }, asAdmin);
      const { error } = await expectError(res, 409, "conflict");
      assert.equal(error.fields!.slug, "is taken");
    });

    await t.step("PUT adds version 2; an account bought on version 1 keeps version 1", async () => {
      const bought = await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      });
      assert.equal(bought.status, 201);
      const { accountId } = await bought.json();

      const body = planBody({ price: "499.00" });
      const res = await c.json("PUT", `/api/admin/plans/${planId}`, body, asAdmin);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const plan = await res.json();
      assert.equal(plan.version, 2);
      assert.notEqual(plan.versionId, v1);
      assert.equal(plan.name, body.name);
      assert.equal(plan.price, "499.00");
      assert.deepEqual(plan.versions.map((v: { version: number }) => v.version), [2, 1]);
      assert.equal(plan.versions[1].price, "540.00");

      const [account] = await deps.db.sql`select plan_version_id from accounts where id = ${accountId}`;
      assert.equal(account.plan_version_id, v1);
      const again = await (await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      })).json();
      assert.equal(again.order.planVersionId, plan.versionId);
      assert.equal(again.order.amount, "499.00");
      const listed = (await (await c.request("/api/challenges")).json()).plans.find((p: { id: string }) =>
        p.id === planId
      );
      assert.equal(listed.version, 2);

      const [audit] = await deps.db.sql`
        select details from audit_log where action = 'admin.plan_versioned' and target_id = ${planId}`;
      assert.deepEqual([audit.details.from, audit.details.version], [1, 2]);
      const slugChange = await c.json(
        "PUT",
        `/api/admin/plans/${planId}`,
        { ...body, slug: "other" },
        asAdmin,
      );
      assert.ok((await expectError(slugChange, 422)).error.fields!.slug);
      await expectError(await c.json("PUT", `/api/admin/plans/${crypto.randomUUID()}`, body, asAdmin), 404);
    });

    await t.step("PATCH active:false stops selling (hidden, not purchasable); true resumes", async () => {
      const off = await c.json("PATCH", `/api/admin/plans/${planId}`, { active: false }, asAdmin);
      assert.equal(off.status, 200);
      assert.equal((await off.json()).active, false);
      const listed = (await (await c.request("/api/challenges")).json()).plans;
      assert.ok(!listed.some((p: { id: string }) => p.id === planId));
      const buy = await c.json("POST", "/api/challenges/purchase", { planId }, {
        bearer: trader.accessToken,
      });
      await expectError(buy, 404, "not_found");
      const all = (await (await c.json("GET", "/api/admin/plans", undefined, asAdmin)).json()).plans;
      assert.equal(all.find((p: { id: string }) => p.id === planId).active, false, "admins still see it");

      const on = await c.json("PATCH", `/api/admin/plans/${planId}`, { active: true }, asAdmin);
      assert.equal((await on.json()).active, true);
      const relisted = (await (await c.request("/api/challenges")).json()).plans;
      assert.ok(relisted.some((p: { id: string }) => p.id === planId));
      await expectError(await c.json("PATCH", `/api/admin/plans/${planId}`, {}, asAdmin), 422);
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from audit_log where action = 'admin.plan_updated' and target_id = ${planId}`;
      assert.equal(n, 2);
    });

    await t.step("plan changes drop cached public pages (tag plans)", async () => {
      const visitor = client(app);
      await (await visitor.request("/rules")).body?.cancel();
      const cached = await visitor.request("/rules");
      await cached.body?.cancel();
      assert.equal(cached.headers.get("x-page-cache"), "hit");
      await c.json("PATCH", `/api/admin/plans/${planId}`, { family }, asAdmin).then((r) => r.body?.cancel());
      // With Redis the invalidation travels through pub/sub, so it lands a moment after the response.
      let state = "hit";
      for (let i = 0; i < 50 && state === "hit"; i++) {
        const res = await visitor.request("/rules");
        await res.body?.cancel();
        state = res.headers.get("x-page-cache") ?? "none";
        if (state === "hit") await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(state, "miss");
    });
  } finally {
    await close();
  }
});
