/**
 * The signature-authenticated machine routes budget per signed caller, not per IP: one connector host syncs
 * thousands of accounts, and a payment provider delivers bursts from a few addresses. Bad signatures get a
 * tight per-IP budget of their own.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, expectError, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync } from "./helpers/sync.ts";
import { RATE_RULES } from "../services/rate_limit/rules.ts";

Deno.test("signed routes: one connector IP is not held to the per-IP API budget; bad signatures are", async (t) => {
  const { app, deps, close } = await openTestApp();
  const secret = deps.config.syncSecret;
  try {
    const trader = await signUp(app);
    const accounts = await Promise.all(
      Array.from({ length: 3 }, () => openTestAccount(deps.db, trader.userId)),
    );

    await t.step(
      `demo-sync: ${RATE_RULES.api_ip.limit + 20} signed batches from one IP all succeed`,
      async () => {
        const connector = client(app);
        const statuses = new Map<number, number>();
        for (let i = 0; i < RATE_RULES.api_ip.limit + 20; i++) {
          const { accountId } = accounts[i % accounts.length];
          const res = await postSync(connector, secret, { accountId, events: [] });
          await res.body?.cancel();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
        assert.deepEqual([...statuses], [[200, RATE_RULES.api_ip.limit + 20]]);
      },
    );

    await t.step("demo-sync: bad signatures from one IP → 401 up to the limit, then 429", async () => {
      const attacker = client(app);
      const body = { accountId: accounts[0].accountId, events: [] };
      for (let i = 0; i < RATE_RULES.bad_signature_ip.limit; i++) {
        const res = await postSync(attacker, secret, body, { header: "t=1,v1=" + "0".repeat(64) });
        assert.equal(res.status, 401);
        await res.body?.cancel();
      }
      const res = await postSync(attacker, secret, body, { header: null });
      await expectError(res, 429, "rate_limited");
      assert.ok(Number(res.headers.get("retry-after")) > 0);
      // The IP's budget is for failures: a correctly signed batch from elsewhere is unaffected.
      assert.equal((await postSync(client(app), secret, body)).status, 200);
    });

    await t.step("payment webhook: bad signatures from one IP → 401 up to the limit, then 429", async () => {
      const provider = client(app);
      const send = () =>
        provider.json("POST", "/api/payments/webhook", { id: "evt_x" }, {
          headers: { "payment-signature": `t=1,v1=${"0".repeat(64)}` },
        });
      for (let i = 0; i < RATE_RULES.bad_signature_ip.limit; i++) {
        const res = await send();
        assert.equal(res.status, 401);
        await res.body?.cancel();
      }
      await expectError(await send(), 429, "rate_limited");
    });
  } finally {
    await close();
  }
});
