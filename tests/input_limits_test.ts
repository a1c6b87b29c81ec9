/**
 * Control characters and out-of-range values are refused as 422s naming the field, never stored and never a
 * 500: a NUL (PostgreSQL text cannot hold one), other control characters, lone surrogates (invalid in
 * jsonb), amounts past their NUMERIC column, and dates outside 2000–2100 — on every surface an outside
 * probe reached: register (API and form), profile, admin plans and coupons, demo-sync, query strings.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp, strongPassword, uniqueEmail } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { demoPlans } from "../services/demo/seed.ts";
import type { PlanDefinition } from "../services/plans/definition.ts";

const CONTROL = "must not contain control characters";

function planBody(change: (body: PlanDefinition) => void = () => {}): Record<string, unknown> {
  const body = structuredClone(demoPlans().find((p) => p.slug === "two-step-100k")!.body);
  body.name = `Limits ${crypto.randomUUID().slice(0, 8)}`;
  change(body);
  return { family: "Limits", ...body };
}

Deno.test("input limits: control characters and out-of-range values are 422s, never 500s", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const admin = await makeStaff(deps, "admin");
    const asTrader = { bearer: trader.accessToken };
    const asAdmin = { bearer: admin.accessToken };

    await t.step("a NUL in a name cannot crash registration or a profile update", async () => {
      const res = await c.json("POST", "/api/auth/register", {
        email: uniqueEmail(),
        password: strongPassword(),
        firstName: "Ev\u0000e",
      });
      const body = await expectError(res, 422, "unprocessable", "register");
      assert.equal(body.error.fields?.firstName, CONTROL);
      for (const method of ["PUT"]) {
        const res = await c.json(method, "/api/users/profile", { lastName: "\u0000" }, asTrader);
        const body = await expectError(res, 422, "unprocessable", `profile ${method}`);
        assert.equal(body.error.fields?.lastName, CONTROL);
      }
    });

    await t.step("the sign-up form refuses a NUL in a name with an inline error", async () => {
      const form = new URLSearchParams({
        email: uniqueEmail(),
        password: strongPassword(),
        firstName: "a\u0000b",
        lastName: "x",
      });
      const res = await c.request("/signup", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: form,
      });
      assert.equal(res.status, 422);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(await res.text(), /must not contain control characters/);
    });

    await t.step("other controls, DEL, C1 and lone surrogates are refused; a name is one line", async () => {
      for (
        const bad of ["a\u0001b", "a\u007fb", "a\u0085b", "a\uD800b", "a\uDC00", "a\uFFFE", "a\nb", "a\tb"]
      ) {
        const res = await c.json("PUT", "/api/users/profile", { firstName: bad }, asTrader);
        const body = await expectError(res, 422, "unprocessable", JSON.stringify(bad));
        assert.ok(body.error.fields?.firstName, JSON.stringify(body));
      }
      const ok = await c.json("PUT", "/api/users/profile", { firstName: "Zoë 😀 Ñandú" }, asTrader);
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).firstName, "Zoë 😀 Ñandú");
    });

    await t.step("a control character in any key or nested value is refused with its path", async () => {
      const res = await c.json(
        "POST",
        "/api/admin/plans",
        planBody((b) => (b.phases[1].name = "Step\u00002")),
        asAdmin,
      );
      const body = await expectError(res, 422, "unprocessable", "nested");
      assert.equal(body.error.fields?.["phases.1.name"], CONTROL);
      const key = await c.json("PUT", "/api/users/profile", { firstName: "A", "x\u0000y": 1 }, asTrader);
      const keyBody = await expectError(key, 422, "unprocessable", "key");
      assert.deepEqual(keyBody.error.fields, {
        "x\\u0000y": "must not contain control characters (in the key)",
      });
    });

    await t.step("admin plans: NUL and lone surrogates in names are 422", async () => {
      for (const bad of ["N\u0000", "N\uD83D"]) {
        for (const body of [planBody((b) => (b.name = bad)), { ...planBody(), family: bad }]) {
          const res = await c.json("POST", "/api/admin/plans", body, asAdmin);
          await expectError(res, 422, "unprocessable", JSON.stringify(bad));
        }
      }
    });

    await t.step(
      "admin plans: a price past NUMERIC(12,2) or a balance past NUMERIC(15,2) is 422",
      async () => {
        const cases: [string, (b: PlanDefinition) => void][] = [
          ["price", (b) => (b.price = "10000000000.00")],
          ["price", (b) => (b.price = "9999999999999.99")],
          ["initialBalance", (b) => (b.initialBalance = "99999999999999.99")],
          ["price", (b) => (b.price = "1.001")],
          ["price", (b) => (b.price = "-0")],
          ["price", (b) => (b.price = "NaN")],
          ["price", (b) => (b.price = "Infinity")],
          ["price", (b) => (b.price = 1e15 as unknown as string)],
        ];
        for (const [field, change] of cases) {
          const res = await c.json("POST", "/api/admin/plans", planBody(change), asAdmin);
          const body = await expectError(res, 422, "unprocessable", field);
          assert.ok(body.error.fields?.[field], JSON.stringify(body));
        }
        const max = await c.json(
          "POST",
          "/api/admin/plans",
          planBody((b) => (b.price = "9999999999.99")),
          asAdmin,
        );
        assert.equal(max.status, 201);
        assert.equal((await max.json()).price, "9999999999.99");
        const plan = await (await c.json("POST", "/api/admin/plans", planBody(), asAdmin)).json();
        const put = await c.json(
          "PUT",
          `/api/admin/plans/${plan.id}`,
          planBody((b) => (b.price = "99999999999.00")),
          asAdmin,
        );
        const putBody = await expectError(put, 422, "unprocessable", "PUT");
        assert.ok(putBody.error.fields?.price);
      },
    );

    await t.step(
      "admin coupons: year 0000, before 2000 and after 2100 are 422; NUL in a code 422",
      async () => {
        const code = () => `LIM${crypto.randomUUID().slice(0, 6)}`;
        for (
          const at of [
            "0000-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2100-01-01T00:00:00Z",
            "9999-12-31T00:00:00Z",
          ]
        ) {
          for (const field of ["startsAt", "expiresAt"]) {
            const res = await c.json(
              "POST",
              "/api/admin/coupons",
              { code: code(), kind: "percent", value: "10", [field]: at },
              asAdmin,
            );
            const body = await expectError(res, 422, "unprocessable", `${field} ${at}`);
            assert.match(body.error.fields?.[field] ?? "", /between 2000-01-01 and 2100-01-01/);
          }
        }
        const created = await c.json("POST", "/api/admin/coupons", {
          code: code(),
          kind: "percent",
          value: "10",
        }, asAdmin);
        assert.equal(created.status, 201);
        const { id } = await created.json();
        const patch = await c.json(
          "PATCH",
          `/api/admin/coupons/${id}`,
          { expiresAt: "0000-06-01T00:00:00Z" },
          asAdmin,
        );
        await expectError(patch, 422, "unprocessable", "PATCH");
        const nul = await c.json("POST", "/api/admin/coupons", {
          code: "AB\u0000C",
          kind: "percent",
          value: "10",
        }, asAdmin);
        await expectError(nul, 422, "unprocessable", "code");
        const big = await c.json(
          "POST",
          "/api/admin/coupons",
          { code: code(), kind: "amount", currency: "USD", value: "10000000000.00" },
          asAdmin,
        );
        await expectError(big, 422, "unprocessable", "value");
      },
    );

    await t.step("a NUL in a query string is a 4xx, not a 500", async () => {
      const res = await c.request("/admin/outbox?to=%00", {
        headers: { authorization: `Bearer ${admin.accessToken}` },
      });
      assert.equal(res.status, 422);
    });

    await t.step(
      "demo-sync: NUL or lone surrogates in ids and symbols are 422 naming the event field",
      async () => {
        const { accountId } = await openTestAccount(deps.db, trader.userId, {
          at: new Date("2026-03-02T08:00:00Z"),
        });
        const at = "2026-03-02T09:00:00Z";
        const cases: [string, unknown][] = [
          ["id", { ...sync.mark("100000.00", "100000.00", at), id: "e\u0000" }],
          ["id", { ...sync.mark("100000.00", "100000.00", at), id: "e\uD800" }],
          ["symbol", { ...sync.open("t1", at), symbol: "EUR\u0000USD" }],
          ["symbol", { ...sync.open("t1", at), symbol: "EUR\nUSD" }],
          ["tradeId", sync.open("t\u0000", at)],
          ["tradeId", sync.open("t\uDFFF", at)],
        ];
        for (const [field, event] of cases) {
          const res = await postSync(c, deps.config.syncSecret, { accountId, events: [event] });
          const body = await expectError(res, 422, "unprocessable", field);
          assert.match(
            body.error.fields?.[`events.0.${field}`] ?? "",
            /control characters|valid Unicode|one line/,
          );
        }
      },
    );

    await t.step("demo-sync: amounts past NUMERIC(15,2) and times outside 2000–2100 are 422", async () => {
      const { accountId } = await openTestAccount(deps.db, trader.userId, {
        at: new Date("2026-03-02T08:00:00Z"),
      });
      const at = "2026-03-02T09:00:00Z";
      const later = "2026-03-02T09:01:00Z";
      const cases: [string, unknown[]][] = [
        ["events.0.equity", [sync.mark("99999999999999.99", "100000.00", at)]],
        ["events.0.balance", [sync.mark("100000.00", "1.001", at)]],
        ["events.1.pnl", [sync.open("big", at), sync.close("big", "1e15", later)]],
        ["events.0.at", [sync.mark("100000.00", "100000.00", "0000-01-01T00:00:00Z")]],
        ["events.0.at", [sync.mark("100000.00", "100000.00", "1969-12-31T00:00:00Z")]],
        ["events.0.price", [{ ...sync.open("p", at), price: "1000000000000.5" }]],
      ];
      for (const [field, events] of cases) {
        const res = await postSync(c, deps.config.syncSecret, { accountId, events });
        const body = await expectError(res, 422, "unprocessable", field);
        assert.ok(body.error.fields?.[field], JSON.stringify(body));
      }
    });

    await t.step(
      "demo-sync: a profit that would carry the balance past NUMERIC(15,2) is 422, not 500",
      async () => {
        const { accountId } = await openTestAccount(deps.db, trader.userId, {
          at: new Date("2026-03-02T08:00:00Z"),
        });
        const events = [
          sync.open("huge", "2026-03-02T09:00:00Z"),
          sync.close("huge", "9999999999999.99", "2026-03-02T09:01:00Z"),
        ];
        const res = await postSync(c, deps.config.syncSecret, { accountId, events });
        const body = await expectError(res, 422, "unprocessable", "overflow");
        assert.match(JSON.stringify(body.error.fields), /balance/);
        const [row] = await deps.db.sql`select state_version, balance from accounts where id = ${accountId}`;
        assert.equal(row.state_version, 0);
        assert.equal(row.balance, "100000.00");
      },
    );
  } finally {
    await close();
  }
});
