/**
 * The back office's user search at 100,000 users (issue #13: p99 ≤ 30 ms), on real PostgreSQL:
 * `DATABASE_URL=postgres://… deno task bench:admin-users`. It creates a scratch database beside the one in
 * the URL (`<db>_bench_admin_users`), migrates it, inserts 100,000 users (some with KYC and funded
 * accounts), runs a mix of searches through `listUsers` — substrings of emails and names, 2-letter prefixes,
 * filters, every order, second pages — and drops the database again.
 *
 * Figures are printed with their ratio to an anchor measured in the same run (a primary-key `select` round
 * trip), so a slower machine moves both (DESIGN §5); the verdict compares the absolute p99 with the budget.
 */
import postgres from "postgres";
import { openDb } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { listUsers, type UserListQuery } from "../services/users/list.ts";
import { percentile } from "./stats.ts";

const USERS = 100_000;
const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 40);
const BUDGET_MS = 30;

const url = Deno.env.get("DATABASE_URL");
if (!url) {
  console.error("Set DATABASE_URL to a PostgreSQL server (a scratch database is created beside it).");
  Deno.exit(2);
}
const scratch = "bench_admin_users";
const admin = postgres(url, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${scratch}`);
await admin.unsafe(`create database ${scratch}`);
const target = new URL(url);
target.pathname = `/${scratch}`;
const db = await openDb({ url: target.toString(), poolMax: 4 });
try {
  await migrate(db);
  const sql = db.sql;
  const started = performance.now();
  // Names from small lists, emails unique: realistic repetition for the trigram index.
  await sql`
    insert into users (email, password_hash, first_name, last_name, role, status, created_at)
    select lower(f.name) || '.' || lower(l.name) || i || '@' || (array['gmail.com','proton.me','firm.example','mail.test'])[1 + i % 4],
           'x', f.name, l.name,
           case when i % 500 = 0 then 'support' else 'trader' end,
           case when i % 97 = 0 then 'suspended' else 'active' end,
           now() - make_interval(mins => i)
    from generate_series(1, ${USERS}) i
    cross join lateral (select (array['Ada','Grace','Alan','Katherine','Linus','Margaret','Edsger','Barbara',
      'Donald','Frances','Ken','Radia','Tim','Hedy','John','Sophie'])[1 + (i * 7) % 16] as name) f
    cross join lateral (select (array['Lovelace','Hopper','Turing','Johnson','Torvalds','Hamilton','Dijkstra',
      'Liskov','Knuth','Allen','Thompson','Perlman','Berners-Lee','Lamarr','Backus','Wilson','Nakamoto',
      'Ritchie','Kay','Stroustrup'])[1 + (i * 13) % 20] || case when i % 3 = 0 then '' else i::text end as name) l`;
  await sql`
    insert into kyc_submissions (user_id, status, decided_at)
    select id, 'approved', now() from users where created_at > now() - interval '20000 minutes'`;
  await sql`analyze`;
  console.log(
    `${USERS.toLocaleString("en")} users in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const queries: { name: string; q: UserListQuery }[] = [
    { name: "no search, newest first", q: {} },
    { name: "email substring (rare)", q: { q: "torvalds4242" } },
    { name: "email substring (common)", q: { q: "gmail" } },
    { name: "name substring", q: { q: "lovelace" } },
    { name: "first + last name", q: { q: "grace hopper" } },
    { name: "2-letter email prefix", q: { q: "ad" } },
    { name: "no match", q: { q: "zzqqxx" } },
    { name: "sort by email", q: { sort: "email" } },
    { name: "sort by name, search", q: { sort: "name", q: "knuth" } },
    { name: "filter: suspended", q: { status: "suspended" } },
    { name: "filter: KYC approved + search", q: { kyc: "approved", q: "hamilton" } },
    { name: "filter: support role", q: { role: "support" } },
    { name: "filter: has funded", q: { funded: "yes" } },
  ];
  // Second pages: the cursor of each first page.
  const withNext = [];
  for (const { name, q } of queries) {
    const first = await listUsers(sql, q);
    if (first.nextCursor) withNext.push({ name: `${name}, page 2`, q: { ...q, cursor: first.nextCursor } });
  }
  const mix = [...queries, ...withNext];

  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const [{ id }] = await sql<{ id: string }[]>`select id from users limit 1`;
  const anchorSamples: number[] = [];
  const samples = new Map<string, number[]>(mix.map((m) => [m.name, []]));
  const all: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    anchorSamples.push(await time(() => sql`select email from users where id = ${id}`));
    for (const m of mix) {
      const ms = await time(() => listUsers(sql, m.q));
      samples.get(m.name)!.push(ms);
      all.push(ms);
    }
  }
  const sorted = (xs: number[]) => xs.toSorted((a, b) => a - b);
  const anchor = percentile(sorted(anchorSamples), 99);
  const fmt = (ms: number) => `${ms.toFixed(2).padStart(7)} ms`;
  console.log(
    `\n${"figure".padEnd(44)} ${"p50".padStart(10)} ${"p99".padStart(10)} ${"p99/anchor".padStart(11)}`,
  );
  console.log(
    `${"anchor: select by primary key".padEnd(44)} ${fmt(percentile(sorted(anchorSamples), 50))} ${
      fmt(anchor)
    }`,
  );
  for (const [name, xs] of samples) {
    const s = sorted(xs);
    const p99 = percentile(s, 99);
    console.log(
      `${name.padEnd(44)} ${fmt(percentile(s, 50))} ${fmt(p99)} ${(p99 / anchor).toFixed(1).padStart(10)}×`,
    );
  }
  const p99 = percentile(sorted(all), 99);
  console.log(
    `\nuser search, whole mix (${all.length} queries): p50 ${percentile(sorted(all), 50).toFixed(2)} ms, ` +
      `p99 ${p99.toFixed(2)} ms = ${(p99 / anchor).toFixed(1)}× the anchor; budget ${BUDGET_MS} ms: ` +
      (p99 <= BUDGET_MS ? "within" : "OVER"),
  );
} finally {
  await db.close();
  await admin.unsafe(`drop database if exists ${scratch}`);
  await admin.end();
}
