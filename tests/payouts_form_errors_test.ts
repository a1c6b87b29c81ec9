/**
 * The payout form's mistakes through `app.request()`, as a trader makes them: an amount the form cannot take is
 * said under the amount field (marked invalid, the typed value kept), and a mistyped password at the
 * confirmation keeps that confirmation — same figures, same Idempotency-Key — with the error under the
 * password field, instead of sending the trader back to the first step.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { fundedWithProfit } from "./helpers/payouts.ts";
import { cookieFor, postForm } from "./helpers/staff_pages.ts";

/** The `<input>` tag whose id is `id`, or null. */
function inputTag(html: string, id: string): string | null {
  return html.match(new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`))?.[0] ?? null;
}

/** The text of the element whose id is `id` (tags dropped, spaces collapsed), or null. */
function textById(html: string, id: string): string | null {
  const at = html.match(new RegExp(`<p[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</p>`));
  return at ? at[1].replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim() : null;
}

Deno.test("payout form: a bad amount and a wrong password are said beside their fields", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const trader = await signUp(app);
    const cookie = cookieFor(trader);
    const { accountId } = await fundedWithProfit(deps, trader.userId);
    const amountId = `amount-${accountId}`;
    const passwordId = `password-${accountId}`;
    const back = "/dashboard/payouts";

    await t.step(
      "an amount written with a thousands separator: under the field, typed value kept",
      async () => {
        const res = await postForm(c, "/dashboard/payouts", cookie, {
          intent: "quote",
          accountId,
          amount: "1,000",
          back,
        });
        assert.equal(res.status, 400);
        const html = await res.text();
        const input = inputTag(html, amountId);
        assert.ok(input, "the amount field is shown again");
        assert.match(input, /aria-invalid="true"/);
        assert.match(input, /value="1,000"/);
        assert.match(input, new RegExp(`aria-describedby="[^"]*${amountId}-error`));
        assert.match(textById(html, `${amountId}-error`) ?? "", /at most 2 decimals/);
      },
    );

    await t.step("an amount above the profit: under the field too", async () => {
      const res = await postForm(c, "/dashboard/payouts", cookie, {
        intent: "quote",
        accountId,
        amount: "5000",
        back,
      });
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.match(inputTag(html, amountId) ?? "", /aria-invalid="true"/);
      assert.match(textById(html, `${amountId}-error`) ?? "", /more than the profit/);
    });

    await t.step("a wrong password: the confirmation stays, the error is under the password", async () => {
      const key = crypto.randomUUID();
      const res = await postForm(c, "/dashboard/payouts", cookie, {
        intent: "confirm",
        accountId,
        amount: "2500.00",
        key,
        back,
        password: "not-my-password-123",
      });
      assert.equal(res.status, 422);
      const html = await res.text();
      const text = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
      assert.match(text, /Withdrawn from the account \$2,500 You receive \(80 %\) \$2,000/);
      assert.match(html, new RegExp(`name="key" value="${key}"`), "the same Idempotency-Key");
      const password = inputTag(html, passwordId);
      assert.ok(password, "the password field is shown again");
      assert.match(password, /aria-invalid="true"/);
      assert.match(
        textById(html, `${passwordId}-error`) ?? "",
        /^Your password is not your current password\.$/,
      );
      assert.equal(inputTag(html, amountId), null, "not back at the first step");
      assert.equal((await deps.db.sql`select 1 from payouts where account_id = ${accountId}`).length, 0);
    });
  } finally {
    await close();
  }
});
