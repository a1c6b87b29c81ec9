import assert from "node:assert/strict";
import { DEMO_SEED, demoPlans, demoVersionId, randomPassword, seedDemo, seedDemoWorld } from "./seed.ts";
import type { DemoWorld } from "./world.ts";
import { INSTRUMENTS } from "./instruments.ts";
import { countPlans, listActivePlans } from "../plans/queries.ts";
import { openTestDb } from "../../tests/helpers/db.ts";
import { openTestApp } from "../../tests/helpers/app.ts";
import { testEnv } from "../../tests/helpers/env.ts";
import type { RateLimiter } from "../rate_limit/limiter.ts";
import { apiLogin, client } from "../../tests/helpers/client.ts";
import { planDefinitionSchema } from "../plans/definition.ts";
import { verifyPassword } from "../auth/password.ts";
import { deriveTwoFactorKeys } from "../auth/two_factor_keys.ts";
import { totpCode } from "../auth/totp.ts";
import { verifySecondFactor } from "../auth/two_factor.ts";
import type { Sql } from "../../db/client.ts";
import { rulesFor, stageOf } from "../accounts/rules.ts";
import { applyEvent } from "../engine/evaluate.ts";
import {
  type BreachEvidence,
  eventToJson,
  initialState,
  isLive,
  stateFromJson,
  stateToJson,
} from "../engine/state.ts";
import { type SyncEvent, toEngineEvent } from "../engine/sync_events.ts";
import { canonicalJson, sha256HexSync } from "../engine/canonical.ts";
import { type LockedAccount, lockedColumns } from "../accounts/persist.ts";
import { replayAccount } from "../accounts/replay.ts";
import { readinessOf } from "../payouts/readiness.ts";

const TOTP_KEY = await deriveTwoFactorKeys("seed-test-application-secret");
/** A Wednesday afternoon: today's sessions (Prague and New York) are running, so a position is open. */
const NOW = new Date("2026-11-18T14:30:00Z");

Deno.test("the demo plans are two families in five sizes, each body valid", () => {
  const plans = demoPlans();
  assert.equal(plans.length, 10);
  assert.deepEqual([...new Set(plans.map((p) => p.family))].sort(), ["One-Step", "Two-Step"]);
  assert.equal(new Set(plans.map((p) => p.slug)).size, 10);
  for (const plan of plans) assert.deepEqual(planDefinitionSchema.parse(plan.body), plan.body);
});

Deno.test("seeding an empty database makes the demo trader's world once, through the live paths", async (t) => {
  const { app, deps, close } = await openTestApp();
  const { sql } = deps.db;
  try {
    // With a real server every test gets a fresh schema; the shared embedded instance is seeded by this test
    // first (it runs before the other database tests of this module) unless some other test got there.
    const [{ empty }] = await sql`
      select not exists (select 1 from plans) and not exists (select 1 from users) as empty`;
    const credentials = await seedDemo(deps.db, TOTP_KEY, { world: deps, now: NOW });
    if (!empty) {
      assert.equal(credentials, null, "a database with data is left alone");
      return;
    }
    assert.ok(credentials?.world);
    const world = credentials.world;

    await t.step("plans, users and the admin's second factor", async () => {
      assert.equal(await countPlans(deps.db), 10);
      const users = await sql<{ email: string; role: string; password_hash: string }[]>`
        select email, role, password_hash from users order by email`;
      assert.deepEqual(users.map((u) => [u.email, u.role]), [
        ["admin@demo.proptrade.test", "admin"],
        ["trader@demo.proptrade.test", "trader"],
      ]);
      assert.equal(await verifyPassword(users[0].password_hash, credentials.admin.password), true);
      assert.equal(await verifyPassword(users[1].password_hash, credentials.trader.password), true);
      assert.notEqual(credentials.admin.password, credentials.trader.password);
      assert.match(credentials.admin.totpUri, /^otpauth:\/\/totp\/.*secret=/);
      const [{ id: adminId }] = await sql`select id from users where email = ${credentials.admin.email}`;
      const code = totpCode(credentials.admin.totpSecret, new Date());
      const actor = { userId: adminId, ip: null, userAgent: null };
      assert.equal(await deps.db.tx((tx) => verifySecondFactor(tx, TOTP_KEY, adminId, code, actor)), true);
      // Demo plan versions have the same id on every installation (evidence names them).
      const plans = await listActivePlans(deps.db);
      for (const plan of plans) assert.equal(plan.versionId, demoVersionId(plan.slug));
      const twoStep100k = plans.find((p) => p.slug === "two-step-100k")!;
      assert.deepEqual(
        [twoStep100k.name, twoStep100k.currency, twoStep100k.initialBalance, twoStep100k.price],
        ["Two-Step 100K", "USD", "100000.00", "540.00"],
      );
    });

    await t.step("three challenges bought through checkout with the demo provider", async () => {
      const orders = await sql<{ status: string; provider: string; slug: string; challenge: string }[]>`
        select o.status, o.provider, p.slug, c.status as challenge
        from orders o join plan_versions v on v.id = o.plan_version_id join plans p on p.id = v.plan_id
        join challenges c on c.order_id = o.id
        order by p.slug`;
      assert.deepEqual(orders.map((o) => [o.slug, o.status, o.provider, o.challenge]), [
        ["one-step-25k", "paid", "demo", "failed"],
        ["two-step-100k", "paid", "demo", "passed"],
        ["two-step-50k", "paid", "demo", "active"],
      ]);
    });

    await t.step(
      "a funded account with ≥ 35 trading days, a phase-2 account in progress, a failed one",
      async () => {
        const accounts = await sql<{ id: string; type: string; phase: number | null; status: string }[]>`
        select id, type, phase, status from accounts order by created_at`;
        assert.deepEqual(accounts.map((a) => [a.type, a.phase, a.status]), [
          ["challenge", 1, "passed"],
          ["challenge", 2, "passed"],
          ["funded", null, "active"],
          ["challenge", 1, "failed"],
          ["challenge", 1, "passed"],
          ["challenge", 2, "active"],
        ]);
        assert.equal(accounts[2].id, world.fundedAccountId);
        assert.equal(accounts[3].id, world.failedAccountId);
        assert.equal(accounts[5].id, world.phaseTwoAccountId);

        const [funded] = await sql<
          { days: number; trades: number; wins: number; open: number; balance: string }[]
        >`
        select (select count(*)::int from daily_stats d where d.account_id = a.id and d.trades_opened > 0) as days,
               (select count(*)::int from trades t where t.account_id = a.id) as trades,
               (select count(*)::int from trades t where t.account_id = a.id and t.pnl > 0) as wins,
               (select count(*)::int from trades t where t.account_id = a.id and t.status = 'open') as open,
               a.balance::text
        from accounts a where a.id = ${world.fundedAccountId}`;
        assert.ok(funded.days >= 35, `${funded.days} trading days`);
        assert.ok(funded.trades >= 100, `${funded.trades} trades`);
        const winRate = funded.wins / funded.trades;
        assert.ok(winRate > 0.4 && winRate < 0.75, `win rate ${winRate}`);
        assert.equal(funded.open, 0, "the funded account ends flat: ready for its next payout");
        const [{ open }] = await sql<{ open: number }[]>`
        select count(*)::int as open from trades where account_id = ${world.phaseTwoAccountId} and status = 'open'`;
        assert.equal(open, 1, "today's session is running: the phase-2 account has a position open");
        assert.ok(Number(funded.balance) > 100_000, `funded balance ${funded.balance}`);
        const [{ last }] = await sql<{ last: Date }[]>`
        select max(at) as last from account_events where account_id = ${world.fundedAccountId}`;
        assert.ok(+NOW - +last < 3_600_000 && last <= NOW, `the history ends now (${last.toISOString()})`);

        const symbols = await sql<{ symbol: string; directions: number }[]>`
        select symbol, count(distinct direction)::int as directions from trades group by symbol order by symbol`;
        assert.deepEqual(symbols.map((s) => [s.symbol, s.directions]), [
          ["EURUSD", 2],
          ["GBPUSD", 2],
          ["NAS100", 2],
          ["US500", 2],
          ["XAUUSD", 2],
        ]);
        const [{ marks }] =
          await sql`select count(*)::int as marks from account_events where type = 'equity'`;
        assert.ok(marks > funded.trades, "equity moves inside trades, not only at closes");
      },
    );

    await t.step("every close's P&L follows from its prices, volume and commission", async () => {
      const trades = await sql<
        { symbol: string; direction: string; volume: string; entry: string; exit: string; pnl: string }[]
      >`
        select symbol, direction, volume::text, entry_price::text as entry, exit_price::text as exit, pnl::text
        from trades where status = 'closed'`;
      for (const trade of trades) {
        const i = INSTRUMENTS.find((x) => x.symbol === trade.symbol)!;
        const volume = scaled(trade.volume, 2);
        const move = (scaled(trade.exit, i.decimals) - scaled(trade.entry, i.decimals)) *
          (trade.direction === "buy" ? 1n : -1n);
        const pnl = (move * volume * BigInt(i.centsPerTickPerLot) - volume * BigInt(i.commissionPerLot)) /
          100n;
        assert.equal(pnl, scaled(trade.pnl, 2), JSON.stringify(trade));
      }
    });

    await t.step("the failed account's evidence replays to its hash, and its owner reads it", async () => {
      const replayed = await replayBreach(sql, world.failedAccountId);
      const [stored] = await sql<{ rule: string; inputs_hash: string; evidence: BreachEvidence }[]>`
        select rule, inputs_hash, evidence from breaches where account_id = ${world.failedAccountId}`;
      assert.equal(stored.rule, "daily_loss");
      assert.equal(replayed.hash, stored.inputs_hash);
      assert.deepEqual(replayed.evidence, stored.evidence);
      assert.ok(Number(stored.evidence.observed) < Number(stored.evidence.floor));
      assert.equal(stored.evidence.openPositions.length, 1);

      const tokens = await apiLogin(client(app), credentials.trader.email, credentials.trader.password);
      const res = await client(app).request(`/api/accounts/${world.failedAccountId}/breach`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      const body = await res.json();
      assert.equal(body.breach.inputsHash, stored.inputs_hash);
    });

    await t.step(
      "one payout of the funded account, requested, approved and paid; eligible for the next; replays",
      async () => {
        const [{ funded }] = await sql<{ funded: number }[]>`
          select count(*)::int as funded from accounts a join users u on u.id = a.user_id
          where u.email = ${credentials.trader.email} and a.type = 'funded'`;
        assert.equal(funded, 1, "the demo trader has one funded account");
        const [kyc] = await sql<{ status: string; decided_by: string }[]>`
          select k.status, u.email as decided_by from kyc_submissions k join users u on u.id = k.decided_by`;
        assert.deepEqual({ ...kyc }, { status: "approved", decided_by: credentials.admin.email });
        const payouts = await sql<
          {
            id: string;
            account_id: string;
            status: string;
            amount: string;
            trader_share: string;
            requested_at: Date;
            approved_at: Date;
            paid_at: Date;
            approvals: number;
          }[]
        >`
          select p.id, p.account_id, p.status, p.amount::text, p.trader_share::text, p.requested_at,
                 p.approved_at, p.paid_at,
                 (select count(*)::int from payout_approvals a where a.payout_id = p.id) as approvals
          from payouts p`;
        assert.equal(payouts.length, 1);
        const [payout] = payouts;
        assert.equal(payout.account_id, world.fundedAccountId);
        assert.equal(payout.status, "paid");
        assert.equal(payout.approvals, 1);
        assert.ok(Number(payout.amount) >= 500, `payout ${payout.amount}`);
        const age = (+NOW - +payout.requested_at) / 86_400_000;
        assert.ok(age >= 20 && age <= 30, `requested ${age.toFixed(1)} days ago`);
        assert.ok(payout.requested_at < payout.approved_at && payout.approved_at < payout.paid_at);
        // The withdrawal went through the engine at the request: one event, trading before and after it.
        const around = await sql<{ type: string; n: number }[]>`
          select case when e.at < ${payout.requested_at} then 'before'
                      when e.type = 'withdrawal' then 'withdrawal' else 'after' end as type, count(*)::int as n
          from account_events e where e.account_id = ${world.fundedAccountId} group by 1 order by 1`;
        assert.deepEqual(around.map((r) => r.type), ["after", "before", "withdrawal"]);
        assert.equal(around.find((r) => r.type === "withdrawal")!.n, 1);
        const [{ firstTrade }] = await sql<{ firstTrade: Date }[]>`
          select min(opened_at) as "firstTrade" from trades where account_id = ${world.fundedAccountId}`;
        assert.ok(+payout.requested_at - +firstTrade >= 14 * 86_400_000, "the plan's interval was respected");

        const [account] = await sql<LockedAccount[]>`
          select ${lockedColumns(sql)} from accounts where id = ${world.fundedAccountId}`;
        const readiness = await readinessOf(sql, account, "Europe/Prague", NOW);
        assert.equal(readiness.eligible, true, JSON.stringify(readiness.conditions));
        assert.ok(Number(readiness.profit) > 0, `profit ${readiness.profit}`);
        assert.equal(
          Number(account.balance).toFixed(2),
          (100_000 + Number(readiness.profit)).toFixed(2),
          "the balance is the profit after the withdrawal",
        );
        const { stored, replayed } = await replayAccount(sql, world.fundedAccountId);
        assert.equal(replayed, stored);
      },
    );

    await t.step("the history's notifications are in the app, unread, and none is mailed", async () => {
      const rows = await sql<{ type: string; mail_state: string; read_at: Date | null }[]>`
        select n.type, n.mail_state, n.read_at from notifications n join users u on u.id = n.user_id
        where u.email = 'trader@demo.proptrade.test'`;
      assert.ok(rows.some((r) => r.type === "breach"), JSON.stringify(rows));
      assert.ok(rows.every((r) => r.mail_state === "none" && r.read_at === null), JSON.stringify(rows));
    });

    await t.step("seeding again does nothing", async () => {
      const before = await counts(sql);
      assert.equal(await seedDemo(deps.db, TOTP_KEY, { world: deps, now: NOW }), null);
      assert.deepEqual(await counts(sql), before);
    });
  } finally {
    await close();
  }
});

Deno.test("the same seed and `now` give the same history; another seed another one", async () => {
  const { deps, close } = await openTestApp();
  const { sql } = deps.db;
  try {
    await seedDemo(deps.db, TOTP_KEY); // the plans (a no-op where this module's first test seeded)
    const user = async () => {
      const [{ id }] = await sql<{ id: string }[]>`
        insert into users (email, password_hash) values (${`demo-${crypto.randomUUID()}@example.test`}, 'x')
        returning id`;
      return id;
    };
    const a = await seedDemoWorld(deps, await user(), { now: NOW });
    const b = await seedDemoWorld(deps, await user(), { now: NOW, seed: DEMO_SEED });
    const c = await seedDemoWorld(deps, await user(), { now: NOW, seed: "another seed" });
    const [ha, hb, hc] = [await history(sql, a), await history(sql, b), await history(sql, c)];
    assert.ok(ha.trades.length > 100);
    assert.deepEqual(hb, ha);
    assert.notDeepEqual(hc.trades, ha.trades);
    assert.notEqual(hc.breach, ha.breach);

    // Another installation (a schema of its own) seeds the same history, evidence hashes included: the rule
    // version in evidence is a demo plan version id, which is the same everywhere.
    if (!testEnv.databaseUrl) {
      console.log("skipped the second installation: needs DATABASE_URL (one embedded database per module)");
      return;
    }
    const other = await openTestApp();
    try {
      const seeded = await seedDemo(other.deps.db, TOTP_KEY, { world: other.deps, now: NOW });
      assert.ok(seeded?.world);
      assert.deepEqual(await history(other.deps.db.sql, seeded.world), ha);
    } finally {
      await other.close();
    }
  } finally {
    await close();
  }
});

Deno.test("a history that cannot be built leaves the plans and users seeded (the app still starts)", async () => {
  if (!testEnv.databaseUrl) {
    console.log("skipped: needs an empty database of its own (DATABASE_URL); the embedded one is shared");
    return;
  }
  const { deps, close } = await openTestApp();
  try {
    // Checkout refuses every purchase (429): the history fails at its first step.
    const limiter: RateLimiter = {
      kind: "memory",
      consume: () => Promise.resolve({ allowed: false, remaining: 0, retryAfterSeconds: 60 }),
      reset: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const credentials = await seedDemo(deps.db, TOTP_KEY, { world: { ...deps, limiter }, now: NOW });
    assert.ok(credentials);
    assert.equal(credentials.world, null);
    assert.equal(await countPlans(deps.db), 10);
    assert.deepEqual(await counts(deps.db.sql), {
      users: 2,
      plans: 10,
      orders: 0,
      accounts: 0,
      trades: 0,
      events: 0,
      breaches: 0,
    });
  } finally {
    await close();
  }
});

Deno.test("seeding leaves a database that already has users alone", async () => {
  const db = await openTestDb();
  try {
    const email = `someone-${crypto.randomUUID()}@example.test`;
    await db.sql`insert into users (email, password_hash) values (${email}, 'x')`;
    const plansBefore = await countPlans(db);
    assert.equal(await seedDemo(db, TOTP_KEY), null);
    assert.equal(await countPlans(db), plansBefore);
  } finally {
    await db.close();
  }
});

Deno.test("generated passwords are long, from the unambiguous alphabet and different each time", () => {
  const passwords = Array.from({ length: 50 }, () => randomPassword());
  for (const pw of passwords) assert.match(pw, /^[A-HJ-NP-Za-km-z2-9]{20}$/);
  assert.equal(new Set(passwords).size, 50);
  assert.equal(randomPassword(32).length, 32);
});

/**
 * Replays the account's recorded events from its opening state with the engine (resets stepped as the live
 * path steps them) up to the breach, and hashes the inputs the way evidence says it does.
 */
async function replayBreach(sql: Sql, accountId: string) {
  const [account] = await sql<
    { plan_version_id: string; type: string; phase: number; engine_state: unknown }[]
  >`
    select plan_version_id, type, phase, engine_state from accounts where id = ${accountId}`;
  const { rules } = await rulesFor(sql, account.plan_version_id, stageOf(account));
  let state = initialState(rules, stateFromJson(account.engine_state).startedAt);
  const rows = await sql<{ payload: SyncEvent }[]>`
    select payload from account_events where account_id = ${accountId} order by state_version`;
  for (const { payload } of rows) {
    const event = toEngineEvent(payload);
    while (isLive(state.status) && state.day.closesAt <= event.at) {
      state = applyEvent(state, { type: "reset", at: state.day.closesAt }, rules).state;
    }
    const prior = state;
    const applied = applyEvent(prior, event, rules);
    state = applied.state;
    const breach = applied.verdicts.find((v) => v.type === "breach");
    if (breach?.type === "breach") {
      const inputs = { ruleVersion: rules.version, state: stateToJson(prior), event: eventToJson(event) };
      return { evidence: breach.evidence, hash: sha256HexSync(canonicalJson(inputs)) };
    }
  }
  throw new Error("no breach on replay");
}

/** A user's history with everything that is not an id: accounts, trades, days, events, evidence. */
async function history(sql: Sql, world: DemoWorld) {
  const ids = [world.fundedAccountId, world.phaseTwoAccountId, world.failedAccountId];
  const [{ user_id: userId }] = await sql`select user_id from accounts where id = ${ids[0]}`;
  const accounts = await sql`
    select type, phase, status, balance::text, equity::text, daily_floor::text, max_floor::text, engine_state,
           state_version, created_at
    from accounts where user_id = ${userId} order by created_at, phase`;
  const trades = await sql`
    select t.external_id, t.symbol, t.direction, t.volume::text, t.entry_price::text, t.exit_price::text,
           t.pnl::text, t.status, t.opened_at, t.closed_at
    from trades t join accounts a on a.id = t.account_id where a.user_id = ${userId}
    order by t.opened_at, t.external_id`;
  const days = await sql`
    select d.trading_day::text, d.sod_balance::text, d.high_equity::text, d.low_equity::text,
           d.close_balance::text, d.pnl::text, d.trades_opened
    from daily_stats d join accounts a on a.id = d.account_id where a.user_id = ${userId}
    order by a.created_at, d.trading_day`;
  const events = await sql`
    select e.event_id, e.payload, e.state_version from account_events e join accounts a on a.id = e.account_id
    where a.user_id = ${userId} order by a.created_at, e.state_version`;
  const [breach] = await sql`select inputs_hash from breaches where account_id = ${world.failedAccountId}`;
  const payouts = await sql<{ id: string }[]>`
    select id, amount::text, trader_share::text, status, reference, requested_at, approved_at, paid_at
    from payouts where user_id = ${userId} order by requested_at`;
  // Payout ids are generated; the ledger events name them (event id and payload): named by rank instead.
  const named = (value: unknown) =>
    JSON.parse(
      payouts.reduce((json, p, i) => json.replaceAll(p.id, `payout-${i + 1}`), JSON.stringify(value)),
    );
  return {
    accounts: named([...accounts]),
    trades: [...trades],
    days: [...days],
    events: named([...events]),
    payouts: named([...payouts]),
    breach: breach.inputs_hash,
  };
}

async function counts(sql: Sql) {
  const [row] = await sql`
    select (select count(*)::int from users) as users, (select count(*)::int from plans) as plans,
           (select count(*)::int from orders) as orders, (select count(*)::int from accounts) as accounts,
           (select count(*)::int from trades) as trades, (select count(*)::int from account_events) as events,
           (select count(*)::int from breaches) as breaches`;
  return row;
}

/** A decimal string as an integer of `places` decimals ("1.08500000", 5 → 108500n); the rest must be 0. */
function scaled(value: string, places: number): bigint {
  const [whole, fraction = ""] = value.replace(/^-/, "").split(".");
  assert.match(fraction.slice(places), /^0*$/, `${value} has more than ${places} decimals`);
  const n = BigInt(whole + fraction.padEnd(places, "0").slice(0, places));
  return value.startsWith("-") ? -n : n;
}
