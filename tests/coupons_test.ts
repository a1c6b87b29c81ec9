import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, makeStaff, signUp } from "./helpers/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { demoPlans } from "../services/demo/seed.ts";
import type { Db } from "../db/client.ts";
import { quotePurchase } from "../services/commerce/purchase.ts";

async function addPlan(db: Db, price: string, currency = "USD"): Promise<string> {
  const body = { ...demoPlans().find((p) => p.slug === "two-step-100k")!.body, price, currency };
  const slug = `coupon-${crypto.randomUUID().slice(0, 8)}`;
  return (await db.tx((tx) => insertPlan(tx, { slug, family: "Coupon Tests", body }))).planId;
}

/** A fresh code, in lower case: stored upper-case. */
function code(prefix = "promo"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

const HOUR = 3_600_000;

Deno.test("coupons: admin API, exact discounts at checkout, and every refusal names the coupon", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const admin = await makeStaff(deps, "admin");
    const risk = await makeStaff(deps, "risk");
    const trader = await signUp(app);
    const asAdmin = { bearer: admin.accessToken };
    const plan540 = await addPlan(deps.db, "540.00");
    const other = await addPlan(deps.db, "540.00");

    const create = async (body: Record<string, unknown>) => {
      const res = await c.json("POST", "/api/admin/coupons", body, asAdmin);
      if (res.status !== 201) throw new Error(`coupon: ${res.status} ${await res.text()}`);
      return await res.json();
    };
    const buy = (who: { accessToken: string }, planId: string, coupon?: string) =>
      c.json("POST", "/api/challenges/purchase", { planId, coupon }, { bearer: who.accessToken });

    await t.step("anonymous 401; staff without plans.manage and traders 403", async () => {
      const id = crypto.randomUUID();
      const calls: [string, string, unknown][] = [
        ["GET", "/api/admin/coupons", undefined],
        ["POST", "/api/admin/coupons", { code: code(), kind: "percent", value: "10" }],
        ["PATCH", `/api/admin/coupons/${id}`, { active: false }],
      ];
      for (const [method, path, body] of calls) {
        await expectError(await c.json(method, path, body), 401, "unauthorized");
        for (const who of [trader, risk]) {
          await expectError(await c.json(method, path, body, { bearer: who.accessToken }), 403, "forbidden");
        }
      }
    });

    await t.step(
      "create: stored upper-case, listed, audited; the same code in any case is a 409",
      async () => {
        const typed = code("spring");
        const res = await c.json("POST", "/api/admin/coupons", {
          code: typed,
          kind: "percent",
          value: "15",
          planIds: [plan540],
          maxRedemptions: 100,
          maxPerUser: 2,
        }, asAdmin);
        assert.equal(res.status, 201);
        assert.equal(res.headers.get("content-type"), "application/json");
        const coupon = await res.json();
        assert.equal(coupon.code, typed.toUpperCase());
        assert.equal(coupon.value, "15.00");
        assert.deepEqual(coupon.planIds, [plan540]);
        assert.equal(coupon.redemptions, 0);
        assert.equal(coupon.active, true);
        const list = await (await c.json("GET", "/api/admin/coupons", undefined, asAdmin)).json();
        assert.deepEqual(list.coupons.find((x: { id: string }) => x.id === coupon.id), coupon);
        const [audit] = await deps.db.sql`
        select actor_id, details from audit_log where action = 'admin.coupon_created' and target_id = ${coupon.id}`;
        assert.equal(audit.actor_id, admin.userId);
        assert.equal(audit.details.code, coupon.code);

        const again = await c.json("POST", "/api/admin/coupons", {
          code: typed.toUpperCase(),
          kind: "amount",
          value: "5",
          currency: "USD",
        }, asAdmin);
        assert.equal((await expectError(again, 409, "conflict")).error.fields!.code, "is taken");
      },
    );

    await t.step("invalid coupons are a 422 naming the field", async () => {
      const now = Date.now();
      const cases: [Record<string, unknown>, string][] = [
        [{ code: code(), kind: "percent", value: "150" }, "value"],
        [{ code: code(), kind: "percent", value: "0" }, "value"],
        [{ code: code(), kind: "percent", value: "10.555" }, "value"],
        [{ code: code(), kind: "amount", value: "50" }, "currency"],
        [{ code: code(), kind: "percent", value: "10", currency: "USD" }, "currency"],
        [{ code: "x", kind: "percent", value: "10" }, "code"],
        [{ code: "no spaces", kind: "percent", value: "10" }, "code"],
        [{ code: code(), kind: "gift", value: "10" }, "kind"],
        [{ code: code(), kind: "percent", value: "10", maxPerUser: 0 }, "maxPerUser"],
        [{ code: code(), kind: "percent", value: "10", planIds: [crypto.randomUUID()] }, "planIds.0"],
        [{
          code: code(),
          kind: "percent",
          value: "10",
          startsAt: new Date(now).toISOString(),
          expiresAt: new Date(now - HOUR).toISOString(),
        }, "expiresAt"],
      ];
      for (const [body, field] of cases) {
        const res = await c.json("POST", "/api/admin/coupons", body, asAdmin);
        const { error } = await expectError(res, 422, "unprocessable", JSON.stringify(body));
        assert.ok(error.fields?.[field], `${JSON.stringify(body)}: ${JSON.stringify(error.fields)}`);
      }
    });

    await t.step("15 % of 540.00 is 81.00 at checkout; the code is matched in any case", async () => {
      const coupon = await create({ code: code("fifteen"), kind: "percent", value: "15" });
      const res = await buy(trader, plan540, ` ${coupon.code.toLowerCase()} `);
      assert.equal(res.status, 201);
      const { order } = await res.json();
      assert.deepEqual(
        [order.listPrice, order.discount, order.amount, order.couponCode, order.status],
        ["540.00", "81.00", "459.00", coupon.code, "paid"],
      );
      const listed = (await (await c.json("GET", "/api/admin/coupons", undefined, asAdmin)).json()).coupons
        .find((x: { id: string }) => x.id === coupon.id);
      assert.equal(listed.redemptions, 1);
    });

    await t.step("percentages round half away from zero, exactly (no floats)", async () => {
      const coupon = await create({ code: code("third"), kind: "percent", value: "33.33" });
      const tiny = await create({ code: code("half"), kind: "percent", value: "0.50" });
      const quote = async (price: string, couponCode: string) =>
        await quotePurchase(deps.db, trader.userId, {
          planId: await addPlan(deps.db, price),
          coupon: couponCode,
        });
      const third = await quote("99.99", coupon.code);
      assert.deepEqual([third.listPrice, third.discount, third.amount], ["99.99", "33.33", "66.66"]);
      assert.deepEqual(third.coupon, { code: coupon.code, kind: "percent", value: "33.33" });
      const half = await quote("201.00", tiny.code); // 1.005 → 1.01
      assert.deepEqual([half.discount, half.amount], ["1.01", "199.99"]);
    });

    await t.step("unusable coupons are a 422 on field coupon, and no order is written", async () => {
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const expired = await create({
        code: code("old"),
        kind: "percent",
        value: "10",
        startsAt: iso(now - 2 * HOUR),
        expiresAt: iso(now - HOUR),
      });
      const future = await create({
        code: code("soon"),
        kind: "percent",
        value: "10",
        startsAt: iso(now + HOUR),
      });
      const elsewhere = await create({ code: code("other"), kind: "percent", value: "10", planIds: [other] });
      const euros = await create({ code: code("euro"), kind: "amount", value: "20", currency: "EUR" });
      const stopped = await create({ code: code("stop"), kind: "percent", value: "10" });
      const off = await c.json("PATCH", `/api/admin/coupons/${stopped.id}`, { active: false }, asAdmin);
      assert.equal(off.status, 200);
      assert.equal((await off.json()).active, false);

      const cases: [string, RegExp][] = [
        [code("nope"), /is not a valid code/],
        ["!!", /is not a valid code/],
        [expired.code, /has expired/],
        [future.code, /is not valid yet/],
        [elsewhere.code, /does not apply to this plan/],
        [euros.code, /does not apply to prices in USD/],
        [stopped.code, /is not a valid code/],
      ];
      const orders = async () =>
        (await deps.db.sql`select count(*)::int as n from orders where user_id = ${trader.userId}`)[0].n;
      const before = await orders();
      for (const [couponCode, message] of cases) {
        const { error } = await expectError(
          await buy(trader, plan540, couponCode),
          422,
          "unprocessable",
          couponCode,
        );
        assert.deepEqual(Object.keys(error.fields!), ["coupon"]);
        assert.match(error.fields!.coupon, message);
      }
      assert.equal(await orders(), before);
    });

    await t.step(
      "total and per-user limits: 409 coupon_exhausted, used up or already used on this account",
      async () => {
        const [a, b] = [await signUp(app), await signUp(app)];
        const once = await create({ code: code("once"), kind: "percent", value: "10", maxRedemptions: 1 });
        assert.equal((await buy(a, plan540, once.code)).status, 201);
        const usedUp = await expectError(await buy(b, plan540, once.code), 409, "coupon_exhausted");
        assert.equal(usedUp.error.fields!.coupon, "has been used up");

        const perUser = await create({
          code: code("each"),
          kind: "amount",
          value: "40",
          currency: "USD",
          maxPerUser: 1,
        });
        const first = await (await buy(a, plan540, perUser.code)).json();
        assert.deepEqual([first.order.discount, first.order.amount], ["40.00", "500.00"]);
        const twice = await expectError(await buy(a, plan540, perUser.code), 409, "coupon_exhausted");
        assert.equal(twice.error.fields!.coupon, "has already been used on your account");
        assert.equal((await buy(b, plan540, perUser.code)).status, 201, "another user may still use it");
      },
    );

    await t.step("concurrent buyers cannot overrun maxRedemptions (row lock)", async () => {
      const few = await create({ code: code("few"), kind: "percent", value: "20", maxRedemptions: 3 });
      const buyers = await Promise.all(Array.from({ length: 8 }, () => signUp(app)));
      const statuses = await Promise.all(buyers.map(async (who) => {
        const res = await buy(who, plan540, few.code);
        await res.body?.cancel();
        return res.status;
      }));
      assert.deepEqual(statuses.toSorted(), [201, 201, 201, 409, 409, 409, 409, 409]);
      const [row] = await deps.db.sql`select redemptions from coupons where id = ${few.id}`;
      assert.equal(row.redemptions, 3);
      const [{ n }] = await deps.db.sql`
        select count(*)::int as n from orders where coupon_id = ${few.id} and status = 'paid'`;
      assert.equal(n, 3);
    });

    await t.step("PATCH changes limits and expiry, audited; 404 for an unknown coupon", async () => {
      const coupon = await create({ code: code("edit"), kind: "percent", value: "5" });
      const res = await c.json("PATCH", `/api/admin/coupons/${coupon.id}`, {
        maxRedemptions: 10,
        expiresAt: new Date(Date.now() + HOUR).toISOString(),
      }, asAdmin);
      assert.equal(res.status, 200);
      const after = await res.json();
      assert.equal(after.maxRedemptions, 10);
      assert.ok(after.expiresAt);
      const [audit] = await deps.db.sql`
        select details from audit_log where action = 'admin.coupon_updated' and target_id = ${coupon.id}`;
      assert.equal(audit.details.before.maxRedemptions, null);
      await expectError(
        await c.json("PATCH", `/api/admin/coupons/${crypto.randomUUID()}`, { active: false }, asAdmin),
        404,
      );
      await expectError(
        await c.json("PATCH", `/api/admin/coupons/${coupon.id}`, { value: "90" }, asAdmin),
        422,
      );
    });
  } finally {
    await close();
  }
});
