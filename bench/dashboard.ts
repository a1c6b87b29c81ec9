/**
 * Dashboard budgets (DESIGN §5, issue #11) on the real PostgreSQL (`DATABASE_URL`, a fresh schema dropped at
 * the end): 1,000,000 trades seeded with generate_series over 100 accounts, then, through `app.request`:
 *  - history page p99 (the SSR page over all of a trader's accounts, first page and a deep keyset page, and
 *    the JSON API for one account) — budget ≤ 20 ms;
 *  - statistics of a 10,000-trade account (API, with its 10,000 equity samples) — budget ≤ 30 ms;
 *  - the account page SSR p99 (`/dashboard/accounts/:id`) — budget ≤ 15 ms.
 * Each figure is also printed as a ratio to anchors measured in the same run: a bare `select 1` round trip
 * and a request of `/healthz` through the same app (every middleware step, no page).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test deno task bench:dashboard
 *
 * BENCH_TRADES (default 1,000,000) and BENCH_ITERATIONS (default 200) scale it down for a quick look;
 * `--only=statistics` (a prefix of the figures' names) measures only the figures so named, after the anchors:
 *
 *   DATABASE_URL=… deno task bench:dashboard --only=statistics
 */
import { openTestApp } from "../tests/helpers/app.ts";
import { randomIp, signUp } from "../tests/helpers/client.ts";
import { openTestAccount } from "../tests/helpers/accounts.ts";
import { newUser } from "../tests/helpers/sync_accounts.ts";
import { sessionCookies } from "../routes/(_http)/auth_cookies.ts";
import { benchFlags, flag } from "./flags.ts";
import { percentile } from "./stats.ts";

const TOTAL = Number(Deno.env.get("BENCH_TRADES") ?? 1_000_000);
const ITERATIONS = Number(Deno.env.get("BENCH_ITERATIONS") ?? 200);
const ACCOUNTS = 100;
/** `--only=statistics` (or any other prefix of a figure's name) measures just those figures. */
const ONLY = benchFlags({ only: flag.text("<prefix>") }).only ?? null;
const STATS_TRADES = 10_000;

if (!Deno.env.get("DATABASE_URL")) {
  console.error("bench:dashboard needs DATABASE_URL (a real PostgreSQL); the embedded one is not measured.");
  Deno.exit(2);
}

const { app, deps, close } = await openTestApp();
const { sql } = deps.db;
try {
  const trader = await signUp(app);
  const cookie = sessionCookies(false, trader).map((c) => c.split(";")[0]).join("; ");
  const start = new Date("2026-01-05T00:00:00Z");

  // The trader holds 5 accounts: one of 10,000 trades (statistics, account page), four large ones; the
  // other 95 accounts belong to other traders and make up the rest of the million.
  console.log(`seeding ${TOTAL.toLocaleString("en-US")} trades over ${ACCOUNTS} accounts…`);
  const seedStarted = performance.now();
  const accounts: { id: string; trades: number }[] = [];
  const others = await Promise.all(Array.from({ length: 19 }, () => newUser(deps.db)));
  const rest = TOTAL - STATS_TRADES;
  const perOther = Math.floor(rest / (ACCOUNTS - 1));
  for (let i = 0; i < ACCOUNTS; i++) {
    const owner = i < 5 ? trader.userId : others[i % others.length];
    const { accountId } = await openTestAccount(deps.db, owner, { at: start });
    const trades = i === 0 ? STATS_TRADES : i === ACCOUNTS - 1 ? rest - perOther * (ACCOUNTS - 2) : perOther;
    accounts.push({ id: accountId, trades });
  }
  for (const { id, trades } of accounts) {
    // Trades every 7 minutes, 20 minutes long, P&L from −90.00 to +110.00 (a deterministic spread), the
    // newest one still open.
    await sql`
      insert into trades (account_id, external_id, symbol, direction, volume, entry_price, exit_price, pnl,
                          status, opened_at, closed_at)
      select ${id}, 'B-' || g,
             (array['EURUSD','GBPUSD','USDJPY','XAUUSD','US500','NAS100','BTCUSD'])[1 + g % 7],
             case when g % 3 = 0 then 'sell' else 'buy' end, 1, 1.1,
             case when g < ${trades} then 1.2 end,
             case when g < ${trades} then ((g * 7919) % 20001 - 9000) / 100.0 end,
             case when g < ${trades} then 'closed' else 'open' end,
             ${start}::timestamptz + g * interval '7 minutes',
             case when g < ${trades} then ${start}::timestamptz + g * interval '7 minutes' + interval '20 minutes' end
      from generate_series(1, ${trades}) g`;
  }
  // The statistics account's equity history: a sample at every close, swinging around the closed balance.
  await sql`
    insert into equity_samples (account_id, at, second, balance, equity, daily_floor, max_floor)
    select account_id, closed_at, date_trunc('second', closed_at), balance,
           balance + ((n * 104729) % 30001 - 15000) / 100.0, null, 90000
    from (
      select account_id, closed_at, 100000 + sum(pnl) over w as balance, row_number() over w as n
      from trades where account_id = ${accounts[0].id} and status = 'closed'
      window w as (order by closed_at, id)
    ) s`;
  // VACUUM as autovacuum leaves a table at rest after a bulk of inserts (PostgreSQL ≥ 13 vacuums on inserts
  // too): the visibility map set, so index-only scans read no heap pages, as in production.
  await sql`vacuum analyze trades`;
  await sql`vacuum analyze equity_samples`;
  const [{ n }] = await sql<{ n: string }[]>`select count(*) as n from trades`;
  console.log(
    `seeded ${Number(n).toLocaleString("en-US")} trades in ${
      ((performance.now() - seedStarted) / 1000).toFixed(1)
    } s`,
  );

  const page = (path: string) => app.request(path, { headers: { cookie } });
  const api = (path: string) =>
    app.request(path, { headers: { authorization: `Bearer ${trader.accessToken}` } }, {
      remoteAddr: { hostname: randomIp() },
    });

  /** p50/p99 (ms) of `ITERATIONS` sequential runs after a warm-up; each response must be 200. */
  const measure = async (name: string, run: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS + 20; i++) {
      const t0 = performance.now();
      const res = await run();
      if (res instanceof Response) {
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
      if (i >= 20) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { name, p50: percentile(times, 50), p99: percentile(times, 99) };
  };

  // A deep page: a cursor halfway through one of the trader's accounts.
  const [deep] = await sql<{ k: string; id: string }[]>`
    select to_char(opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as k, id from trades
    where account_id = ${accounts[1].id} order by opened_at desc, id desc offset ${
    Math.floor(accounts[1].trades / 2)
  } limit 1`;
  const { encodeCursor } = await import("../services/trading/history.ts");
  const deepCursor = encodeCursor(deep);

  const anchors = [
    await measure("anchor: select 1", () => sql`select 1`),
    await measure("anchor: GET /healthz", () => page("/healthz")),
  ];
  const cases: { budget: number; name: string; run: () => unknown }[] = [
    { budget: 20, name: "history page, all accounts (SSR)", run: () => page("/dashboard/history") },
    {
      budget: 20,
      name: "history page, deep keyset (SSR)",
      run: () => page(`/dashboard/history?cursor=${deepCursor}`),
    },
    {
      budget: 20,
      name: "history page, symbol + result filter (SSR)",
      run: () => page(`/dashboard/history?symbol=XAUUSD&result=loss`),
    },
    {
      budget: 20,
      name: "history API, one account, 50 rows",
      run: () => api(`/api/trading/history?accountId=${accounts[1].id}&limit=50`),
    },
    {
      budget: 30,
      name: `statistics API, ${STATS_TRADES.toLocaleString("en-US")}-trade account`,
      run: () => api(`/api/trading/statistics?accountId=${accounts[0].id}`),
    },
    { budget: 15, name: "account page SSR", run: () => page(`/dashboard/accounts/${accounts[0].id}`) },
  ];
  const figures = [];
  for (const c of cases) {
    if (!ONLY || c.name.startsWith(ONLY)) figures.push({ budget: c.budget, ...await measure(c.name, c.run) });
  }

  const fmt = (ms: number) => ms.toFixed(2).padStart(8);
  console.log(`\n${ITERATIONS} sequential requests each, after 20 warm-up; ms\n`);
  console.log(`${"".padEnd(46)}      p50      p99   budget  p99/select1  p99/healthz`);
  for (const a of anchors) console.log(`${a.name.padEnd(46)} ${fmt(a.p50)} ${fmt(a.p99)}`);
  for (const f of figures) {
    const verdict = f.p99 <= f.budget ? "ok" : "OVER";
    console.log(
      `${f.name.padEnd(46)} ${fmt(f.p50)} ${fmt(f.p99)} ${`≤ ${f.budget}`.padStart(8)} ${
        (f.p99 / anchors[0].p99).toFixed(1).padStart(11)
      }× ${(f.p99 / anchors[1].p99).toFixed(1).padStart(11)}×  ${verdict}`,
    );
  }
} finally {
  await close();
}
