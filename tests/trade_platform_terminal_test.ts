/**
 * The terminal of an account a connector trades names the connector's platform (services/accounts/
 * trade_platform.ts) in its order ticket's refusal, escaped (connector-supplied text), and keeps the general
 * sentence when the connector never named one. The order path's refusal keeps the general sentence: its lock
 * statement does not read the platform, and a sentence is no reason for another statement on that path.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, sync } from "./helpers/sync.ts";
import { cookieFor, HTML } from "./helpers/staff_pages.ts";

const START = new Date(Date.now() - 3_600_000);
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
/** Printable, so accepted as a name; markup (and the end of a script) if it were not escaped. */
const HOSTILE = `</script><img src=x onerror=alert(1)> & "5"`;
const GENERAL =
  "This account is traded through your platform's connector; the built-in venue can't trade it.";

Deno.test("trade platform: the terminal's ticket names the connector's platform, escaped", async (t) => {
  const { app, deps, close } = await openTestApp();
  const c = client(app);
  try {
    const owner = await signUp(app);
    const cookie = cookieFor(owner);
    const opened = async (platform?: { name: string; version?: string }) => {
      const { accountId } = await openTestAccount(deps.db, owner.userId, { at: START });
      const res = await postSync(c, deps.config.syncSecret, {
        accountId,
        events: [sync.open(`T-${accountId.slice(0, 6)}`, iso(60_000))],
        ...(platform ? { platform } : {}),
      });
      assert.equal(res.status, 200, await res.text());
      return accountId;
    };
    const trading = async (accountId: string) => {
      const res = await c.json("GET", `/api/venue/accounts/${accountId}`, undefined, {
        bearer: owner.accessToken,
      });
      assert.equal(res.status, 200);
      return (await res.json()).trading;
    };
    const page = async (accountId: string) => {
      const res = await c.request(`/trade/${accountId}`, { headers: { cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), HTML);
      return await res.text();
    };
    const mt5 = await opened({ name: "MetaTrader 5", version: "5.0.4200" });

    await t.step("the view and the page's ticket: traded through its MetaTrader 5 connector", async () => {
      const sentence =
        "This account is traded through its MetaTrader 5 connector; the built-in venue can't trade it.";
      assert.deepEqual(await trading(mt5), { allowed: false, code: "platform", reason: sentence });
      const html = await page(mt5);
      const ticket = /data-ticket-off="platform"[^>]*>(.*?)<\/p>/s.exec(html)?.[1] ?? "";
      assert.equal(
        ticket.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim(),
        `‖ This ticket is off for this account. ${sentence}`,
      );
    });

    await t.step("the order path's refusal keeps the general sentence (no read for it)", async () => {
      deps.prices.apply([{ symbol: "BTCUSD", bid: "65000.00", ask: "65015.00", at: Date.now() }]);
      const order = await c.json("POST", `/api/venue/accounts/${mt5}/orders`, {
        symbol: "BTCUSD",
        direction: "buy",
        type: "market",
        volume: "0.10",
      }, { bearer: owner.accessToken, headers: { "idempotency-key": crypto.randomUUID() } });
      assert.equal(order.status, 409);
      const { code, message } = (await order.json()).error;
      assert.deepEqual({ code, message }, { code: "platform", message: GENERAL });
    });

    await t.step("a connector that never named its platform: today's sentence", async () => {
      const unnamed = await opened();
      assert.deepEqual(await trading(unnamed), { allowed: false, code: "platform", reason: GENERAL });
      assert.match(await page(unnamed), /This account is traded through your platform(&#39;|')s connector/);
    });

    await t.step("a hostile name is text: in the JSON as sent, escaped on the page", async () => {
      const hostile = await opened({ name: HOSTILE });
      assert.equal(
        (await trading(hostile)).reason,
        `This account is traded through its ${HOSTILE} connector; the built-in venue can't trade it.`,
      );
      const html = await page(hostile);
      assert.ok(!html.includes("<img src=x"), "the platform name reached the page as markup");
      assert.ok(!html.includes("</script><img"), "the platform name closed a script");
      const ticket = /data-ticket-off="platform"[^>]*>(.*?)<\/p>/s.exec(html)?.[1] ?? "";
      assert.match(
        ticket,
        /traded through its &lt;\/script(>|&gt;)&lt;img src=x onerror=alert\(1\)(>|&gt;) &amp; /,
      );
    });
  } finally {
    await close();
  }
});
