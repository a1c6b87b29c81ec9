/**
 * `GET /api/accounts/:id/equity` names a payout's money moving (issue #12): the withdrawal at request and its
 * reversal on rejection come as `withdrawals` (decimal strings, the balance right after), apart from breaches,
 * so the chart can mark them instead of drawing a loss.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { makeStaff, signUp } from "./helpers/client.ts";
import { fundedWithProfit } from "./helpers/payouts.ts";

Deno.test("equity API: a payout's withdrawal and its reversal are listed with the balance after each", async () => {
  const { app, deps, close } = await openTestApp();
  try {
    const trader = await signUp(app);
    const risk = await makeStaff(deps, "risk");
    const { accountId } = await fundedWithProfit(deps, trader.userId);
    const bearer = { bearer: trader.accessToken };
    const equity = async () => {
      const res = await trader.client.json("GET", `/api/accounts/${accountId}/equity`, undefined, bearer);
      assert.equal(res.status, 200);
      return await res.json();
    };
    assert.deepEqual((await equity()).withdrawals, [], "no payout yet: nothing to mark");

    const reauth = await trader.client.json(
      "POST",
      "/api/auth/reauth",
      { password: trader.password },
      bearer,
    );
    assert.equal(reauth.status, 204);
    const req = await trader.client.json("POST", "/api/payouts", { accountId, amount: "2500.00" }, {
      ...bearer,
      headers: { "idempotency-key": "w1" },
    });
    assert.equal(req.status, 201, await req.clone().text());
    const { id } = await req.json();
    const after = await equity();
    assert.equal(after.withdrawals.length, 1);
    assert.equal(after.withdrawals[0].type, "withdrawal");
    assert.equal(after.withdrawals[0].amount, "2500.00");
    // 100,000 + 3,000 profit − 2,500 withdrawn; the last point is the same balance (no loss drawn apart).
    assert.equal(after.withdrawals[0].balance, "100500.00");
    assert.equal(after.points.at(-1).balance, "100500.00");
    assert.deepEqual(after.breaches, []);

    const rejected = await trader.client.json("PUT", `/api/admin/payouts/${id}`, {
      action: "reject",
      reason: "Trading pattern under review",
    }, { bearer: risk.accessToken });
    assert.equal(rejected.status, 200, await rejected.clone().text());
    const back = await equity();
    assert.deepEqual(
      back.withdrawals.map((
        w: { type: string; amount: string; balance: string },
      ) => [w.type, w.amount, w.balance]),
      [["withdrawal", "2500.00", "100500.00"], ["withdrawal_reversal", "2500.00", "103000.00"]],
    );
    const times = back.withdrawals.map((w: { at: string }) => w.at);
    assert.deepEqual(times, times.toSorted());
  } finally {
    await close();
  }
});
