/**
 * The ingest floor of the engine benchmark (bench/engine.ts `--only=floor`, issue 15 "Ingest efficiency"): the
 * least work any design of signed demo-sync must do, served by its own process, so that the same run shows
 * how far the budget (batch-10 batches/s ≥ 0.60 × `pgbench -N` tps) is from what this machine, this runtime
 * and this database can do at all — not what the app does today.
 *
 * Per request: read the body, check the HMAC signature (the app's own `verifySync`), parse the JSON, validate
 * it with the app's zod event schema, sort the batch (in-batch duplicates, late events), evaluate it with the
 * real engine (`advance`) against the account's state kept in memory, write the account's engine columns and
 * the batch as ONE row (`floor_batches`: the events as one jsonb array) — grouped with the batches that became
 * ready meanwhile, one statement per group, two in flight — publish the change on the bus, answer JSON.
 *
 * Left out, and each needed by the product (so the floor is an upper bound on throughput, not a design):
 * dedupe against earlier batches (an id index), trades, trading days, equity samples, the change log, the
 * owner's active-trader days, breaches and their consequences, notifications, self-locks, rate limits, the
 * middleware (request id, access log, metrics, security headers). A real design pays for each of them
 * somewhere, at write time or at read time.
 *
 * Driven like bench/engine_server.ts (tests/helpers/child_server.ts): `{"cmd":"setup","accounts":n}` opens n
 * bench accounts and loads their states; `{"cmd":"stats"}` answers the group-write totals.
 */
import { z } from "zod";
import type { Sql } from "../db/client.ts";
import { openDb } from "../db/client.ts";
import { createBus } from "../services/bus/mod.ts";
import { advance } from "../services/accounts/advance.ts";
import { rulesFor, stageOf } from "../services/accounts/rules.ts";
import { sortBatch, uniqueById } from "../services/accounts/sync_batch.ts";
import { SYNC_SIGNATURE_HEADER, verifySync } from "../services/accounts/sync_signature.ts";
import type { EngineRules } from "../services/engine/rules.ts";
import { type AccountState, stateFromJson, stateToJson } from "../services/engine/state.ts";
import { syncEventSchema } from "../services/engine/sync_events.ts";
import { fromMinor } from "../services/money.ts";
import { isoAt } from "../services/time.ts";
import { answerCommands, ChildServer } from "../tests/helpers/child_server.ts";
import { createBenchAccounts } from "./engine_server.ts";

/** The floor's process, as the parent sees it. */
export const FloorServer = {
  spawn: (env: Record<string, string>): Promise<ChildServer> =>
    ChildServer.spawn({
      name: "floor server",
      script: new URL(import.meta.url),
      env,
      startTimeoutMs: 60_000,
      commandTimeoutMs: 300_000,
      killAfterMs: 5_000,
    }),
};

const syncInput = z.object({ accountId: z.uuid(), events: z.array(syncEventSchema).max(1000) });

interface Held {
  state: AccountState;
  rules: EngineRules;
  busy: boolean;
}

interface Row {
  id: string;
  state: unknown;
  v: number;
  balance: string;
  equity: string;
  at: string;
  events: unknown[];
}

/** Group writes so far, in the shape of services/accounts/sync_group.ts `writeGroupStats`. */
const totals = { groups: 0, batches: 0, busyMs: 0 };

/** Group commit as the app's sync path does it (sync_group.ts): two statements in flight, up to 64 each. */
function groupWriter(sql: Sql) {
  const waiting: { row: Row; done: (error?: unknown) => void }[] = [];
  let inFlight = 0;
  const drain = () => {
    while (inFlight < 2 && waiting.length > 0) {
      const group = waiting.splice(0, 64).sort((a, b) => (a.row.id < b.row.id ? -1 : 1));
      inFlight++;
      const started = performance.now();
      const rows = group.map((w) => w.row);
      sql`
        with u as (
          update accounts a set engine_state = x.state, state_version = x.v, balance = x.balance,
            equity = x.equity, last_event_at = x.at, updated_at = now()
          from jsonb_to_recordset(${sql.json(rows as never)})
            as x(id uuid, state jsonb, v int, balance numeric, equity numeric, at timestamptz, events jsonb)
          where a.id = any(${rows.map((r) => r.id)}::uuid[]) and a.id = x.id
          returning a.id, x.v, x.at, x.events
        )
        insert into floor_batches (account_id, state_version, at, events) select id, v, at, events from u`
        .then(() => {
          totals.groups++;
          totals.batches += group.length;
          totals.busyMs += performance.now() - started;
          group.forEach((w) => w.done());
        }, (error) => group.forEach((w) => w.done(error)))
        .finally(() => {
          inFlight--;
          drain();
        });
    }
  };
  return (row: Row) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ row, done: (error) => (error ? reject(error) : resolve()) });
      drain();
    });
}

const error = (status: number, code: string) => Response.json({ error: { code, message: code } }, { status });

async function main(): Promise<void> {
  const env = Deno.env.toObject();
  const db = await openDb({ url: env.DATABASE_URL, poolMax: Number(env.DATABASE_POOL_MAX ?? 10) });
  const bus = await createBus({ redisUrl: env.REDIS_URL });
  const secret = env.SYNC_SECRET;
  const held = new Map<string, Held>();
  const write = groupWriter(db.sql);

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    try {
      verifySync(req.headers.get(SYNC_SIGNATURE_HEADER), body, secret);
    } catch {
      return error(401, "bad_signature");
    }
    let parsed;
    try {
      parsed = syncInput.safeParse(JSON.parse(body));
    } catch {
      return error(400, "bad_json");
    }
    if (!parsed.success) return error(422, "invalid");
    const { accountId, events } = parsed.data;
    const account = held.get(accountId);
    if (!account) return error(404, "not_found");
    if (account.busy) return error(409, "busy");
    account.busy = true;
    try {
      const { fresh, outcomes } = sortBatch(events, new Set(), account.state, uniqueById(events));
      const advanced = advance(
        account.state,
        account.rules,
        fresh.map((b) => ({ id: b.event.id, event: b.engine })),
      );
      const { state } = advanced;
      const row: Row = {
        id: accountId,
        state: stateToJson(state),
        v: state.version,
        balance: fromMinor(state.balance),
        equity: fromMinor(state.equity),
        at: isoAt(state.lastEventAt),
        events: fresh.map((b) => b.event),
      };
      await write(row);
      account.state = state;
      const summary = {
        id: accountId,
        stateVersion: state.version,
        balance: row.balance,
        equity: row.equity,
      };
      await bus.publish(`account:${accountId}`, { kind: "sync", account: summary });
      return Response.json({ ...outcomes, account: summary, breaches: [] });
    } finally {
      account.busy = false;
    }
  });

  await answerCommands(
    { port: server.addr.port, db: db.kind, bus: bus.kind, pid: Deno.pid },
    async (command) => {
      switch (command.cmd) {
        case "setup": {
          await db.sql`create table if not exists floor_batches (
          account_id uuid not null references accounts, state_version int not null, at timestamptz not null,
          events jsonb not null, primary key (account_id, state_version))`;
          const { accountIds } = await createBenchAccounts(db, Number(command.accounts), new Date(), 8);
          const rows = await db.sql<
            {
              id: string;
              plan_version_id: string;
              type: string;
              phase: number | null;
              engine_state: unknown;
            }[]
          >`select id, plan_version_id, type, phase, engine_state from accounts where id = any(${accountIds}::uuid[])`;
          for (const r of rows) {
            const { rules } = await rulesFor(db.sql, r.plan_version_id, stageOf(r));
            held.set(r.id, { state: stateFromJson(r.engine_state), rules, busy: false });
          }
          return { accountIds };
        }
        case "stats":
          return { writeGroups: { ...totals } };
        default:
          throw new Error(`unknown command ${JSON.stringify(command.cmd)}`);
      }
    },
  );
  await server.shutdown();
  await bus.close();
  await db.close();
  Deno.exit(0);
}

if (import.meta.main) await main();
