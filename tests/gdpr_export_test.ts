/**
 * GDPR export (issue #15): GET /api/users/export and the "Your data" page, against the real services. The
 * export is the caller's data and nobody else's, well-formed JSON, streamed in chunks for a trader with many
 * trades, behind a step-up, rate limited and audited.
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client } from "./helpers/client.ts";
import { richTrader } from "./helpers/gdpr.ts";
import { jsonObjectStream } from "../services/privacy/json_stream.ts";
import { cookieFor } from "./helpers/staff_pages.ts";

const TRADES = 3_000;

/** Reads a response body chunk by chunk: the text and how many chunks it came in. */
async function readChunks(res: Response): Promise<{ text: string; chunks: number }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), chunks };
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
}

Deno.test("gdpr export: own data only, valid JSON, streamed, step-up, limited, audited", async (t) => {
  const testApp = await openTestApp();
  const { app, deps, close } = testApp;
  try {
    const a = await richTrader(testApp, {
      trades: TRADES,
      platform: { name: "MetaTrader 5", version: "5.0.4200" },
    });
    const b = await richTrader(testApp, { trades: 5 });
    const get = (who: { accessToken: string }) =>
      client(app).json("GET", "/api/users/export", undefined, { bearer: who.accessToken });

    let doc: Record<string, unknown[] | Record<string, unknown>> = {};
    let raw = "";

    await t.step("200 attachment, streamed in many chunks, valid JSON", async () => {
      const res = await get(a);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
      assert.match(
        res.headers.get("content-disposition")!,
        /^attachment; filename="proptrade-data-\d{4}-\d\d-\d\d\.json"$/,
      );
      assert.equal(res.headers.get("cache-control"), "no-store");
      const { text, chunks } = await readChunks(res);
      raw = text;
      // ~3,000 trades of ~300 bytes flush at 64 KiB: one string in memory would arrive as one chunk.
      assert.ok(chunks >= 8, `streamed in ${chunks} chunks`);
      doc = JSON.parse(text);
    });

    await t.step("contains the caller's data, every section", () => {
      const profile = doc.profile as Record<string, unknown>;
      assert.equal(profile.email, a.email);
      assert.equal(profile.firstName, a.firstName);
      assert.equal(profile.lastName, a.lastName);
      assert.equal("password_hash" in profile || "passwordHash" in profile, false);
      assert.ok(!raw.includes("$argon2"), "no password hash anywhere");
      const sessions = doc.sessions as { ip: string; userAgent: string }[];
      assert.ok(sessions.some((s) => s.ip === a.ip && s.userAgent === "proptrade-tests"));
      const trades = doc.trades as { symbol: string; accountId: string }[];
      assert.equal(trades.filter((tr) => tr.symbol === `X${a.marker}`).length, TRADES);
      assert.ok(trades.every((tr) => tr.accountId === a.accountId));
      const accounts = doc.accounts as {
        id: string;
        status: string;
        dailyFloor: string;
        tradeSource: unknown;
        tradePlatform: unknown;
      }[];
      assert.deepEqual(accounts.map((x) => x.id), [a.accountId]);
      assert.equal(accounts[0].status, "failed");
      assert.ok(accounts[0].dailyFloor, "engine summary included");
      // Who trades it, and on which platform its connector said (the trader's data too).
      assert.deepEqual(
        { tradeSource: accounts[0].tradeSource, tradePlatform: accounts[0].tradePlatform },
        { tradeSource: "connector", tradePlatform: { name: "MetaTrader 5", version: "5.0.4200" } },
      );
      const breaches = doc.breaches as { rule: string; evidence: Record<string, unknown> }[];
      assert.equal(breaches.length, 1);
      assert.equal(breaches[0].rule, "daily_loss");
      assert.ok(Object.keys(breaches[0].evidence).length > 0, "breach evidence included");
      assert.equal((doc.accountEvents as unknown[]).length, 2);
      assert.equal((doc.orders as { amount: string }[])[0].amount, "500.00");
      assert.equal((doc.payouts as { reference: string }[])[0].reference, `REF-${a.marker}`);
      const kyc = doc.kyc as { documents: Record<string, unknown>[] };
      assert.equal(kyc.documents.length, 1);
      assert.equal(kyc.documents[0].kind, "identity_front");
      assert.equal(kyc.documents[0].fileName, `passport-${a.lastName}.png`);
      assert.ok(
        !("storageKey" in kyc.documents[0]) && !raw.includes("storage_key"),
        "no storage keys or bytes",
      );
      const titles = (doc.notifications as { title: string }[]).map((n) => n.title);
      assert.ok(titles.includes(`Dear ${a.firstName}, your account failed`), titles.join(" | "));
      assert.deepEqual(doc.notificationPreferences, [{ type: "pause", email: false }]);
      const audit = doc.auditLog as { action: string; actor: string }[];
      assert.ok(audit.some((e) => e.action === "auth.register" && e.actor === "you"));
      assert.ok(audit.some((e) => e.action === "kyc.submitted" || e.action === "auth.login"));
    });

    await t.step("contains nothing of another trader (IDOR)", () => {
      for (const value of [b.email, b.userId, b.accountId, b.firstName, b.lastName, b.marker, b.ip]) {
        assert.ok(!raw.toLowerCase().includes(value.toLowerCase()), `B's ${value} is not in A's export`);
      }
    });

    await t.step("audited as privacy.exported by the caller", async () => {
      const [{ count }] = await deps.db.sql<{ count: number }[]>`
        select count(*)::int as count from audit_log
        where action = 'privacy.exported' and actor_id = ${a.userId} and target_id = ${a.userId}`;
      assert.equal(count, 1);
    });

    await t.step("an old session must confirm first: 403 step_up_required, then 200", async () => {
      await deps.db.sql`
        update auth_sessions set reauthenticated_at = now() - interval '10 minutes' where id = ${b.sessionId}`;
      const refused = await get(b);
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get("content-type"), "application/json");
      assert.equal((await refused.json()).error.code, "step_up_required");
      const reauth = await client(app).json("POST", "/api/auth/reauth", { password: b.password }, {
        bearer: b.accessToken,
      });
      assert.equal(reauth.status, 204);
      const ok = await get(b);
      assert.equal(ok.status, 200);
      const parsed = JSON.parse(await ok.text());
      assert.equal(parsed.profile.email, b.email);
      // B's connector never named its platform: the field is there, null.
      assert.deepEqual(
        { tradeSource: parsed.accounts[0].tradeSource, tradePlatform: parsed.accounts[0].tradePlatform },
        { tradeSource: "connector", tradePlatform: null },
      );
      assert.ok(!JSON.stringify(parsed).includes(a.email));
    });

    await t.step("at most 5 exports an hour per user: the 6th is 429 with Retry-After", async () => {
      for (let i = 0; i < 4; i++) {
        const ok = await get(b);
        assert.equal(ok.status, 200);
        await ok.body?.cancel();
      }
      const refused = await get(b);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      assert.equal((await refused.json()).error.code, "rate_limited");
    });

    await t.step("tables of later features are exported when present (self-locks)", async () => {
      // The shape migration 023 gives the table, or that table itself where it is already migrated: every
      // column but the key is nullable or defaulted, so the insert below fits both.
      await deps.db.sql`
        create table if not exists account_self_locks (
          account_id uuid primary key references accounts (id) on delete cascade,
          daily_loss_limit numeric(15, 2))`;
      await deps.db.sql`insert into account_self_locks (account_id) values (${a.accountId})`;
      const res = await get(a);
      assert.equal(res.status, 200);
      const locks = JSON.parse(await res.text()).account_self_locks as { account_id: string }[];
      assert.deepEqual(locks.map((l) => l.account_id), [a.accountId]);
    });

    await t.step("anonymous: 401", async () => {
      const res = await client(app).json("GET", "/api/users/export");
      assert.equal(res.status, 401);
      await res.body?.cancel();
    });

    await t.step(
      "page: Your data → wrong password inline 422 → right one redirects to the download",
      async () => {
        const c = client(app);
        const cookie = cookieFor(a);
        const page = await c.request("/account/data", { headers: { cookie } });
        assert.equal(page.status, 200);
        assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
        const html = await page.text();
        assert.match(html, /<h1[^>]*>Your data<\/h1>/);
        assert.match(html, /Download my data/);
        assert.match(html, /Erase my account/);
        assert.match(html, /6 years after your account is erased/);
        const post = (fields: Record<string, string>) =>
          c.request("/account/data", {
            method: "POST",
            headers: {
              cookie,
              "sec-fetch-site": "same-origin",
              "content-type": "application/x-www-form-urlencoded",
            },
            body: new URLSearchParams(fields).toString(),
            redirect: "manual",
          });
        const wrong = await post({ intent: "export", password: "not-the-password-at-all" });
        assert.equal(wrong.status, 422);
        assert.equal(wrong.headers.get("content-type"), "text/html; charset=utf-8");
        assert.match(await wrong.text(), /That password is not correct\./);
        const right = await post({ intent: "export", password: a.password });
        assert.equal(right.status, 303);
        assert.equal(right.headers.get("location"), "/api/users/export");
        const download = await c.request("/api/users/export", { headers: { cookie } });
        assert.equal(download.status, 200);
        assert.match(download.headers.get("content-disposition")!, /^attachment;/);
        assert.equal(JSON.parse(await download.text()).profile.email, a.email);
      },
    );
  } finally {
    await close();
  }
});

Deno.test("json stream: pulls its source only as the reader reads (no read-ahead of the whole export)", async () => {
  let produced = 0;
  const stream = jsonObjectStream([
    { name: "head", value: () => ({ ok: true }) },
    {
      name: "rows",
      items: async function* () {
        for (let i = 0; i < 100_000; i++) {
          produced++;
          yield { i, pad: "x".repeat(100) };
        }
      },
    },
  ]);
  const reader = stream.getReader();
  const first = await reader.read();
  assert.ok(first.value && first.value.length >= 64 * 1024);
  // One chunk read (and at most one buffered ahead): a small fraction of the 100,000 rows were produced.
  assert.ok(produced < 2_000, `produced ${produced} rows for one chunk`);
  await reader.cancel();

  const all = jsonObjectStream([{ name: "empty", items: async function* () {} }, {
    name: "n",
    value: () => null,
  }]);
  assert.deepEqual(JSON.parse(await new Response(all).text()), { empty: [], n: null });
});
