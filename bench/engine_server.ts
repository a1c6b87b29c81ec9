/**
 * The app process of the engine benchmark (bench/engine.ts), and the account set-up both sides share.
 *
 * The child serves the real app (production build, Deno.serve on 127.0.0.1, reset scheduler running as in
 * `deno task start`) over DATABASE_URL/REDIS_URL when set — a `?search_path=` on the URL selects the
 * benchmark's scratch schema — or the embedded defaults (PGlite under a temporary DATA_DIR, in-process bus).
 * It trusts X-Forwarded-For (TRUST_PROXY), so the load generator can speak from many addresses, and takes
 * SYNC_SECRET and DATABASE_POOL_MAX from its environment. It is driven over stdin/stdout, one JSON object
 * per line (replies are prefixed with `@@ ` so stray output cannot be mistaken for one):
 * - first line out: `{"ready":true,"port","db","bus","pid"}`;
 * - `{"cmd":"setup","accounts":n,"sessions":k,"staff":bool}` → `{accountIds, tokens, staffToken}`: n phase-1
 *   accounts (one owner each), bearer tokens of the first k owners, and a support user's token;
 * - `{"cmd":"stats"}` → hub counts and memory.
 * It exits when its stdin closes, so it never outlives the parent.
 */
import type { Db } from "../db/client.ts";
import { insertPlan } from "../db/plans.ts";
import { openAccount } from "../services/accounts/open.ts";
import { ftmo100k } from "../services/engine/testing.ts";

const encoder = new TextEncoder();
const REPLY = "@@ ";

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
export class EngineServer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  #queue: Promise<unknown> = Promise.resolve();
  port = 0;
  pid = 0;
  info: Record<string, unknown> = {};

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = replies(child.stdout)[Symbol.asyncIterator]();
    this.pid = child.pid;
  }

  /** Starts the app with `env` added to the parent's environment; resolves once it listens. */
  static async spawn(env: Record<string, string>): Promise<EngineServer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname],
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const server = new EngineServer(child);
    const first = await server.#next(180_000);
    if (!first.ready) throw new Error(`engine server did not start: ${JSON.stringify(first)}`);
    server.port = Number(first.port);
    server.info = first;
    return server;
  }

  /** Sends one command and resolves with its reply (commands run one at a time). */
  command<T = Record<string, unknown>>(command: Record<string, unknown>, timeoutMs = 300_000): Promise<T> {
    const run = this.#queue.then(async () => {
      await this.#writer.write(encoder.encode(JSON.stringify(command) + "\n"));
      const answer = await this.#next(timeoutMs);
      if (answer.error) throw new Error(`engine server: ${answer.error}`);
      return answer as T;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Closes stdin (the child exits) and waits for it; kills it if it hangs. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 15_000);
    try {
      await this.#child.status;
      await this.#lines.return?.();
    } finally {
      clearTimeout(timer);
    }
  }

  async #next(timeoutMs: number): Promise<Record<string, unknown>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`engine server silent for ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { value, done } = await Promise.race([this.#lines.next(), timeout]);
      if (done) throw new Error("engine server exited");
      return JSON.parse(value);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Reply lines (prefix stripped); anything else the child prints goes to our stderr. */
async function* replies(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = pending.indexOf("\n")) !== -1) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.startsWith(REPLY)) yield line.slice(REPLY.length);
      else if (line.trim()) console.error(`[app] ${line}`);
    }
  }
}

async function* stdinLines(): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = pending.indexOf("\n")) !== -1) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.trim()) yield line;
    }
  }
}

async function main(): Promise<void> {
  const env = Deno.env.toObject();
  const { createApp } = await import("../fresh.config.ts");
  const { ensureSecrets, loadConfig } = await import("../services/config.ts");
  const { closeDeps, openDeps } = await import("../services/deps.ts");
  const { migrate } = await import("../db/migrate.ts");
  const { streamHub } = await import("../services/accounts/stream.ts");
  const { startResetScheduler } = await import("../services/accounts/scheduler.ts");
  const { appManifest } = await import("../tests/helpers/app.ts");
  const { makeStaff, newSession } = await import("../tests/helpers/client.ts");

  const dataDir = await Deno.makeTempDir({ prefix: "bench-engine-app-" });
  const config = await ensureSecrets(loadConfig({
    APP_ENV: "test",
    APP_URL: "http://localhost:8000",
    DATA_DIR: dataDir,
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_POOL_MAX: env.DATABASE_POOL_MAX,
    REDIS_URL: env.REDIS_URL,
    SYNC_SECRET: env.SYNC_SECRET,
    TRUST_PROXY: "true",
  }));
  const deps = await openDeps(config);
  await migrate(deps.db);
  const hub = streamHub(deps);
  const app = await createApp(deps, { manifest: await appManifest(), dev: false });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => app.fetch(req, info),
  );
  // As `deno task start` does: every serving process runs the reset loop.
  const stopScheduler = startResetScheduler(deps, { intervalMs: 1000 });

  const reply = (value: unknown) => Deno.stdout.write(encoder.encode(REPLY + JSON.stringify(value) + "\n"));
  await reply({ ready: true, port: server.addr.port, db: deps.db.kind, bus: deps.bus.kind, pid: Deno.pid });
  for await (const line of stdinLines()) {
    try {
      const command = JSON.parse(line);
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
          await reply({ accountIds, tokens, staffToken });
          break;
        }
        case "stats":
          await reply({ ...hub.stats, ...Deno.memoryUsage() });
          break;
        default:
          await reply({ error: `unknown command ${JSON.stringify(command.cmd)}` });
      }
    } catch (error) {
      await reply({ error: String(error) });
    }
  }
  await stopScheduler();
  await Promise.race([server.shutdown(), new Promise((resolve) => setTimeout(resolve, 500))]);
  await closeDeps(deps);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  Deno.exit(0);
}

if (import.meta.main) await main();
