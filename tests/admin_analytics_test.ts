/**
 * Business analytics (DESIGN §3.4) against the constructed quarter of helpers/analytics_scenario.ts. Every
 * expected figure below is worked out by hand from the scenario, not from the code.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { buildScenario } from "./helpers/analytics_scenario.ts";
import { client, expectError, makeStaff } from "./helpers/client.ts";
import { periodsOf } from "../services/analytics/periods.ts";

const Q1 = "from=2024-01-01&to=2024-03-31";

Deno.test("analytics: a quarter by month, by week and by day, through the API", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const s = await buildScenario(deps.db);
    const admin = await makeStaff(deps, "admin");
    const get = (query: string, who = admin) =>
      c.request(`/api/admin/analytics?${query}`, { headers: who.auth });

    await t.step(
      "by month: revenue, orders, refunds, pass rates, breaches, traders, payouts, net",
      async () => {
        const res = await get(`${Q1}&granularity=month`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
        const a = await res.json();
        assert.equal(a.from, "2024-01-01T00:00:00.000Z");
        assert.equal(a.to, "2024-04-01T00:00:00.000Z");
        assert.deepEqual(a.periods.map((p: { start: string }) => p.start), [
          "2024-01-01T00:00:00.000Z",
          "2024-02-01T00:00:00.000Z",
          "2024-03-01T00:00:00.000Z",
        ]);
        const [jan, feb, mar] = a.periods;
        // Jan: o1 100 + o2 100 (paid 23:59:59.999 on the 31st); the EUR order and the pending refund of o1
        // are left out. Feb: o3 250 (paid at 00:00:00 on the 1st) + o4 200 (250 − 50 coupon). Mar: o5 100;
        // refunds 200 (o4 in full) + 30 (o5 in part) = 230.
        assert.deepEqual(
          [jan, feb, mar].map((p) => [p.orders, p.grossRevenue, p.refunds, p.revenue, p.averageOrder]),
          [
            [2, "200.00", "0.00", "200.00", "100.00"],
            [2, "450.00", "0.00", "450.00", "225.00"],
            [1, "100.00", "230.00", "-130.00", "100.00"],
          ],
        );
        assert.deepEqual(
          [a.totals.orders, a.totals.grossRevenue, a.totals.refunds, a.totals.revenue, a.totals.averageOrder],
          [5, "750.00", "230.00", "520.00", "150.00"],
        );
        // Phase 1: Jan a1 passed, a2 failed; Feb a3 passed (phase 2 opened at 00:00 on the 1st); Mar a6
        // passed, a4 failed (23:59:59 on the 31st). a5 failed in Feb but was reinstated: not ended.
        // Phase 2: Feb a1b failed; Mar a3b passed (the funded account opened).
        const rates = (
          p: { passRate: { phase: number; passed: number; failed: number; rate: string | null }[] },
        ) => p.passRate.map((r) => [r.phase, r.passed, r.failed, r.rate]);
        assert.deepEqual(rates(jan), [[1, 1, 1, "0.5000"], [2, 0, 0, null]]);
        assert.deepEqual(rates(feb), [[1, 1, 0, "1.0000"], [2, 0, 1, "0.0000"]]);
        assert.deepEqual(rates(mar), [[1, 1, 1, "0.5000"], [2, 1, 0, "1.0000"]]);
        assert.deepEqual(rates(a.totals), [[1, 3, 2, "0.6000"], [2, 1, 1, "0.5000"]]);
        // The time-limit breach at 2024-04-01T00:00:00Z is the first instant after the range.
        assert.deepEqual(jan.breaches, { daily_loss: 1, max_loss: 1 });
        assert.deepEqual(feb.breaches, { daily_loss: 2 });
        assert.deepEqual(mar.breaches, { max_loss: 1 });
        assert.deepEqual(a.totals.breaches, { daily_loss: 3, max_loss: 2 });
        // Jan: u1 (twice), u2, u3 (23:59:59.999 on the 31st); Feb: u1, u3 (00:00 on the 1st); Mar: u2.
        assert.deepEqual([jan, feb, mar].map((p) => p.activeTraders), [3, 2, 1]);
        assert.equal(a.totals.activeTraders, 3);
        assert.deepEqual([jan, feb, mar].map((p) => p.fundedAccounts), [0, 0, 1]);
        assert.equal(a.totals.fundedAccounts, 1);
        // Payouts: 800 requested Jan, approved Jan, paid Feb; 400 requested Feb, approved Mar; 240 requested
        // Mar, rejected.
        const steps = (p: { payouts: Record<string, { count: number; traderShare: string }> }) =>
          ["requested", "approved", "paid"].map((k) => [p.payouts[k].count, p.payouts[k].traderShare]);
        assert.deepEqual(steps(jan), [[1, "800.00"], [1, "800.00"], [0, "0.00"]]);
        assert.deepEqual(steps(feb), [[1, "400.00"], [0, "0.00"], [1, "800.00"]]);
        assert.deepEqual(steps(mar), [[1, "240.00"], [1, "400.00"], [0, "0.00"]]);
        assert.deepEqual(steps(a.totals), [[3, "1440.00"], [2, "1200.00"], [1, "800.00"]]);
        // Net = revenue − paid trader share: 200; 450 − 800; −130; 520 − 800.
        assert.deepEqual([jan.net, feb.net, mar.net, a.totals.net], [
          "200.00",
          "-350.00",
          "-130.00",
          "-280.00",
        ]);
        // By plan: A = o1, o2, o5 (300) − 30; B = o3, o4 (450) − 200 (in March).
        assert.deepEqual(
          a.byPlan.map((
            p: Record<string, unknown>,
          ) => [p.planId, p.orders, p.grossRevenue, p.refunds, p.revenue, p.byPeriod]),
          [
            [s.planA, 3, "300.00", "30.00", "270.00", ["200.00", "0.00", "70.00"]],
            [s.planB, 2, "450.00", "200.00", "250.00", ["0.00", "450.00", "-200.00"]],
          ],
        );
      },
    );

    await t.step("by ISO week: the boundary facts fall in the week that holds them", async () => {
      // 2024-01-29 (Mon) … 2024-02-04: o2 (Jan 31 23:59:59.999) and o3 (Feb 1 00:00) are in one week.
      const a = await (await get("from=2024-01-29&to=2024-02-04&granularity=week")).json();
      assert.equal(a.periods.length, 1);
      assert.equal(a.periods[0].orders, 2);
      assert.equal(a.periods[0].grossRevenue, "350.00");
      assert.equal(a.periods[0].activeTraders, 1); // u3 on both sides of midnight
      // A range starting mid-week is cut: Wed 2024-01-31 → the first period starts there, not on Monday.
      const cut = await (await get("from=2024-01-31&to=2024-02-06&granularity=week")).json();
      assert.deepEqual(cut.periods.map((p: { start: string }) => p.start), [
        "2024-01-31T00:00:00.000Z",
        "2024-02-05T00:00:00.000Z",
      ]);
      assert.equal(cut.periods[0].orders, 2);
    });

    await t.step("by day: the last millisecond of a day and the first of the next are apart", async () => {
      const a = await (await get("from=2024-01-31&to=2024-02-01&granularity=day")).json();
      assert.deepEqual(a.periods.map((p: { orders: number }) => p.orders), [1, 1]);
      assert.deepEqual(a.periods.map((p: { grossRevenue: string }) => p.grossRevenue), ["100.00", "250.00"]);
    });

    await t.step("CSV of a table", async () => {
      const res = await get(`${Q1}&granularity=month&format=csv&table=revenue`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
      const lines = (await res.text()).trimEnd().split("\r\n");
      assert.equal(
        lines[0],
        "period_start,orders,gross_revenue,refunds,revenue,average_order,payouts_paid,net",
      );
      assert.equal(lines[3], "2024-03-01T00:00:00.000Z,1,100.00,230.00,-130.00,100.00,0.00,-130.00");
      const plans = await (await get(`${Q1}&format=csv&table=plans`)).text();
      assert.match(plans, /Scenario A [0-9a-f]{8},3,300\.00,30\.00,270\.00,200\.00,0\.00,70\.00\r\n/);
    });

    await t.step("bad ranges are 422 with the field named", async () => {
      assert.equal(
        (await expectError(await get("from=2024-03-01&to=2024-02-01"), 422)).error.fields?.to,
        "must be after from",
      );
      await expectError(await get("from=2020-01-01&to=2024-01-01&granularity=day"), 422);
      await expectError(await get("from=2024-13-01"), 422);
      await expectError(await get("granularity=year"), 422);
    });

    await t.step("analytics are the admin's: support and risk are refused (403)", async () => {
      for (const role of ["support", "risk"] as const) {
        await expectError(await get(Q1, await makeStaff(deps, role)), 403, undefined, role);
      }
    });
  } finally {
    await close();
  }
});

Deno.test("analytics periods: UTC months, ISO weeks, cut to the range, capped", () => {
  const p = periodsOf(new Date("2024-02-15T00:00:00Z"), new Date("2024-04-01T00:00:00Z"), "month")!;
  assert.deepEqual(p.map((x) => [x.start.toISOString(), x.end.toISOString()]), [
    ["2024-02-15T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["2024-03-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z"],
  ]);
  assert.equal(p[0].key, Date.parse("2024-02-01T00:00:00Z"));
  // 2024-01-07 is a Sunday: its ISO week started on Monday 2024-01-01.
  const w = periodsOf(new Date("2024-01-07T00:00:00Z"), new Date("2024-01-09T00:00:00Z"), "week")!;
  assert.deepEqual(w.map((x) => new Date(x.key).toISOString()), [
    "2024-01-01T00:00:00.000Z",
    "2024-01-08T00:00:00.000Z",
  ]);
  assert.equal(periodsOf(new Date("2020-01-01T00:00:00Z"), new Date("2024-01-01T00:00:00Z"), "day"), null);
});
