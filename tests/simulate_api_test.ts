import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";

Deno.test("what-if simulator: same engine, exact floors, writes nothing", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const body = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
    const slug = `sim-${crypto.randomUUID().slice(0, 8)}`;
    const { planId } = await deps.db.tx((tx) => insertPlan(tx, { slug, family: `Sim ${slug}`, body }));
    const post = (input: unknown) =>
      c.json("POST", "/api/rules/simulate", input, { bearer: trader.accessToken });
    const startAt = "2026-03-02T08:00:00Z"; // a Monday; Europe/Prague resets at 00:00 local

    await t.step(
      "equity one cent under the FTMO-style daily floor fails the phase, with evidence",
      async () => {
        const rows = () =>
          deps.db.sql`select (select count(*) from trades) + (select count(*) from audit_log) as n`.then((
            r,
          ) => r[0].n);
        const before = await rows();
        const res = await post({
          planId,
          startAt,
          events: [
            {
              id: "e1",
              type: "trade_open",
              at: "2026-03-02T09:00:00Z",
              tradeId: "t1",
              symbol: "EURUSD",
              direction: "buy",
              volume: "10",
              price: "1.08000",
            },
            {
              id: "e2",
              type: "equity",
              at: "2026-03-02T10:00:00Z",
              equity: "94999.99",
              balance: "100000.00",
            },
          ],
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/json");
        const result = await res.json();
        assert.equal(result.status, "failed");
        assert.equal(result.breach.rule, "daily_loss");
        assert.equal(result.breach.floor, "95000.00");
        assert.equal(result.breach.observed, "94999.99");
        assert.equal(result.breach.openPositions.length, 1);
        assert.match(result.breach.inputsHash, /^[0-9a-f]{64}$/);
        assert.equal(result.timeline.at(-1).status, "failed");
        const [{ n: after }] = await deps.db
          .sql`select count(*)::int as n from audit_log where action <> 'auth.login'`;
        assert.ok(after <= before, "nothing is written");
      },
    );

    await t.step("an inline plan body and `until` roll daily resets with no events", async () => {
      const res = await post({ plan: body, phase: 1, startAt, events: [], until: "2026-03-05T12:00:00Z" });
      assert.equal(res.status, 200);
      const result = await res.json();
      assert.equal(result.status, "active");
      assert.ok(result.timeline.length >= 4, "a point per reset");
      const target = result.objectives.find((o: { key: string }) => o.key === "profit_target");
      assert.equal(target.status, "pending");
    });

    await t.step("bad input is a 422 naming the field; unknown plan 404", async () => {
      const cases: [unknown, string][] = [
        [{ plan: body, planId, startAt, events: [] }, "planId"],
        [{ planId, phase: 7, startAt, events: [] }, "phase"],
        [
          {
            planId,
            startAt,
            events: [{ id: "x", type: "equity", at: startAt, equity: "1e5", balance: "1" }],
          },
          "events.0.equity",
        ],
        [{
          planId,
          startAt,
          events: [{ id: "x", type: "equity", at: "2026-03-01T00:00:00Z", equity: "1.00", balance: "1.00" }],
        }, "events"],
      ];
      for (const [input, field] of cases) {
        const res = await post(input);
        assert.equal(res.status, 422, field);
        assert.ok((await res.json()).error.fields[field], field);
      }
      const missing = await post({ planId: crypto.randomUUID(), startAt, events: [] });
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
    });
  } finally {
    await close();
  }
});
