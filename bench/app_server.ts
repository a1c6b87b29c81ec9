/**
 * The real app in production mode on the port given as the first argument. It uses DATABASE_URL/REDIS_URL
 * when set and the embedded defaults otherwise (a temporary DATA_DIR), like `deno task start`.
 */
import { createApp, prepareDatabase } from "../fresh.config.ts";
import { ensureSecrets, loadConfig } from "../services/config.ts";
import { openDeps } from "../services/deps.ts";
import { listen } from "../lib/http_listener.ts";
import { configureLog } from "../services/log.ts";
import { BufferedLines } from "../services/log_sink.ts";

const port = Number(Deno.args[0]);
const env = Deno.env.toObject();
const config = await ensureSecrets(
  loadConfig({
    // Figures are compared with a bare Deno.serve, and production behind nginx runs Deno.serve too.
    HTTP_SERVER: "deno",
    // The access log on, as in production (APP_ENV=test would turn it off); BENCH's ACCESS_LOG=false to compare.
    ACCESS_LOG: "true",
    // One secret for every run against a database that outlives it (DATABASE_URL): the demo data's 2FA
    // secrets are sealed with it, and a start with another secret refuses that data (services/key_check.ts).
    // A fresh DATA_DIR would otherwise generate a new one each run. Loopback benches only.
    ...(env.DATABASE_URL ? { JWT_SECRET: "bench-app-server-only-jwt-secret-0123456789" } : {}),
    ...env,
    APP_ENV: "test",
    PORT: String(port),
    DATA_DIR: env.BENCH_DATA_DIR ?? await Deno.makeTempDir(),
  }),
);
// Production's format (JSON lines) and its batched writes (services/log_sink.ts); to /dev/null, since stdout
// only tells the bench "ready" (which then stops reading it).
const sink = new BufferedLines(Deno.openSync("/dev/null", { write: true }));
configureLog({ level: "info", format: "json", write: (line) => sink.write(line) });
const deps = await openDeps(config);
await prepareDatabase(deps);
const app = await createApp(deps, { dev: false });
await listen(
  { port, hostname: "127.0.0.1", server: config.httpServer, onListen: () => console.log("ready") },
  (req, info) => app.fetch(req, info),
);
