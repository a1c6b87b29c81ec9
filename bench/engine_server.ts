/**
 * The app process of the engine benchmark (bench/engine.ts), and the account set-up both sides share.
 *
 * The child serves the real app (production build, the production listener on 127.0.0.1 — HTTP_SERVER picks it, reset scheduler running as in
 * `deno task start`) over DATABASE_URL/REDIS_URL when set — a `?search_path=` on the URL selects the
 * benchmark's scratch schema — or the embedded defaults (PGlite under a temporary DATA_DIR, in-process bus).
 * It trusts X-Forwarded-For (TRUST_PROXY), so the load generator can speak from many addresses, and takes
 * SYNC_SECRET and DATABASE_POOL_MAX from its environment. It is driven over stdin/stdout, one JSON object
 * per line (tests/helpers/child_server.ts):
 * - first line out: `{"ready":true,"port","db","bus","pid"}`;
 * - `{"cmd":"setup","accounts":n,"sessions":k,"staff":bool}` → `{accountIds, tokens, staffToken}`: n phase-1
 *   accounts (one owner each), bearer tokens of the first k owners, and a support user's token;
 * - `{"cmd":"stats"}` → hub counts and memory.
 * It exits when its stdin closes, so it never outlives the parent.
 */
import type { Db } from "../db/client.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { openAccount } from "../services/accounts/open.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { answerCommands, ChildServer } from "../tests/helpers/child_server.ts";

/**
 * Opens `n` FTMO-100K phase-1 accounts at `at`, each owned by its own trader (one plan version shared by all,
 * as a real firm sells a handful of plans), `parallel` transactions at a time. Returns ids in creation order.
 */
export async function createBenchAccounts(
  db: Db,
  n: number,
  at: Date,
  parallel: number,
): Promise<{ accountIds: string[]; userIds: string[] }> {
  const tag = crypto.randomUUID().slice(0, 8);
  const emails = Array.from({ length: n }, (_, i) => `bench-${tag}-${i}@example.test`);
  const rows = await db.sql<{ id: string; email: string }[]>`
    insert into users (email, password_hash) select e, 'x' from unnest(${emails}::text[]) as e
    returning id, email`;
  const byEmail = new Map(rows.map((r) => [r.email, r.id]));
  const userIds = emails.map((e) => byEmail.get(e)!);
  const { versionId } = await db.tx((tx) =>
    insertPlan(tx, { slug: `bench-${tag}`, family: "Bench", body: ftmo100k() })
  );
  const accountIds = new Array<string>(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, async () => {
    while (next < n) {
      const i = next++;
      accountIds[i] = await db.tx(async (tx) => {
        const [{ id: challengeId }] = await tx<{ id: string }[]>`
          insert into challenges (user_id, plan_version_id, status, started_at)
          values (${userIds[i]}, ${versionId}, 'active', ${at}) returning id`;
        const opened = await openAccount(tx, {
          userId: userIds[i],
          challengeId,
          planVersionId: versionId,
          stage: 0,
          at,
        });
        return opened.accountId;
      });
    }
  }));
  return { accountIds, userIds };
}

/** The parent's handle on the spawned app. */
export type EngineServer = ChildServer;

/** Starting the app process (the child's side is `main` below). */
export const EngineServer = {
  /** Starts the app with `env` added to the parent's environment; resolves once it listens. */
  spawn: (env: Record<string, string>): Promise<EngineServer> =>
    ChildServer.spawn({
      name: "engine server",
      script: new URL(import.meta.url),
      env,
      // e.g. BENCH_APP_FLAGS="--cpu-prof --cpu-prof-dir=prof" to profile the app under the benchmark's load.
      flags: Deno.env.get("BENCH_APP_FLAGS")?.split(" ").filter(Boolean),
      // A cold start migrates the scratch schema; `setup` of thousands of accounts takes minutes.
      startTimeoutMs: 180_000,
      commandTimeoutMs: 300_000,
      killAfterMs: 15_000,
    }),
};

async function main(): Promise<void> {
  const env = Deno.env.toObject();
  // Imported here so the parent (bench/engine.ts) does not load the app.
  const { startResetScheduler } = await import("../services/accounts/scheduler.ts");
  const { openServedApp } = await import("../tests/helpers/served_app.ts");
  const { makeStaff, newSession } = await import("../tests/helpers/client.ts");
  const { writeGroupStats } = await import("../services/accounts/sync_group.ts");

  const { app, deps, config, hub, close } = await openServedApp({
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_POOL_MAX: env.DATABASE_POOL_MAX,
    REDIS_URL: env.REDIS_URL,
    SYNC_SECRET: env.SYNC_SECRET,
    TRUST_PROXY: "true",
    HTTP_SERVER: env.HTTP_SERVER,
  });
  const { listen } = await import("../lib/http_listener.ts");
  const server = await listen(
    { hostname: "127.0.0.1", port: 0, server: config.httpServer },
    (req, info) => app.fetch(req, info),
  );
  // As `deno task start` does: every serving process runs the reset loop.
  const stopScheduler = startResetScheduler(deps, { intervalMs: 1000 });

  await answerCommands(
    { port: server.port, http: server.server, db: deps.db.kind, bus: deps.bus.kind, pid: Deno.pid },
    async (command) => {
      switch (command.cmd) {
        case "setup": {
          const n = Number(command.accounts);
          const parallel = deps.db.kind === "embedded" ? 1 : config.databasePoolMax;
          const { accountIds, userIds } = await createBenchAccounts(deps.db, n, new Date(), parallel);
          const tokens: string[] = [];
          for (const userId of userIds.slice(0, Number(command.sessions ?? 0))) {
            tokens.push((await newSession(deps, { userId, role: "trader" })).accessToken);
          }
          const staffToken = command.staff ? (await makeStaff(deps, "support")).accessToken : null;
          return { accountIds, tokens, staffToken };
        }
        case "stats":
          return { ...hub.stats, ...Deno.memoryUsage(), writeGroups: writeGroupStats() };
        default:
          throw new Error(`unknown command ${JSON.stringify(command.cmd)}`);
      }
    },
  );
  await stopScheduler();
  await server.shutdown(500);
  await close();
  Deno.exit(0);
}

if (import.meta.main) await main();
