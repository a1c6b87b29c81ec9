/**
 * The real app in production mode on the port given as the first argument. It uses DATABASE_URL/REDIS_URL
 * when set and the embedded defaults otherwise (a temporary DATA_DIR), like `deno task start`.
 */
import { createApp, prepareDatabase } from "../fresh.config.ts";
import { ensureSecrets, loadConfig } from "../services/config.ts";
import { openDeps } from "../services/deps.ts";
import { listen } from "../lib/http_listener.ts";

const port = Number(Deno.args[0]);
const env = Deno.env.toObject();
const config = await ensureSecrets(
  loadConfig({
    // Figures are compared with a bare Deno.serve, and production behind nginx runs Deno.serve too.
    HTTP_SERVER: "deno",
    ...env,
    APP_ENV: "test",
    PORT: String(port),
    DATA_DIR: env.BENCH_DATA_DIR ?? await Deno.makeTempDir(),
  }),
);
const deps = await openDeps(config);
await prepareDatabase(deps);
const app = await createApp(deps, { dev: false });
await listen(
  { port, hostname: "127.0.0.1", server: config.httpServer, onListen: () => console.log("ready") },
  (req, info) => app.fetch(req, info),
);
