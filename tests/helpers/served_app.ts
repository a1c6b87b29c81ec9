/**
 * The real app as a child process serves it (tests/fixtures/stream_server.ts, bench/engine_server.ts):
 * production build, real services from the given variables, migrated. Unlike `openTestApp`, which shares
 * the test process's database handle, this opens its own pool and bus — it is a second server.
 *
 * Import it dynamically from a module the parent also loads, so the parent does not load the app.
 */
import type { FreshApp } from "../../lib/app.ts";
import { createApp } from "../../fresh.config.ts";
import { type Config, ensureSecrets, type GeneratedSecrets, loadConfig } from "../../services/config.ts";
import { closeDeps, type Deps, openDeps } from "../../services/deps.ts";
import { migrate } from "../../db/migrate.ts";
import { streamHub } from "../../services/accounts/stream.ts";
import type { StreamHub, StreamHubOptions } from "../../services/accounts/stream_hub.ts";
import { appManifest } from "./app.ts";

/** A running app with what its child process answers commands from. */
export interface ServedApp {
  app: FreshApp;
  deps: Deps;
  config: Config & GeneratedSecrets;
  /** The SSE hub, configured before the app could create it with defaults. */
  hub: StreamHub;
  /** Closes the services and removes the temporary DATA_DIR. */
  close(): Promise<void>;
}

/**
 * Opens the app over `env` (DATABASE_URL, REDIS_URL, JWT_SECRET, APP_URL, TRUST_PROXY, HTTP_SERVER...; unset means the
 * embedded defaults), with APP_ENV=test and a temporary DATA_DIR, and migrates its database.
 */
export async function openServedApp(
  env: Record<string, string | undefined>,
  hubOptions?: StreamHubOptions,
): Promise<ServedApp> {
  const dataDir = await Deno.makeTempDir({ prefix: "proptrade-served-" });
  const config = await ensureSecrets(loadConfig({
    ...env,
    APP_ENV: "test",
    // Where tokens are issued for: a second process accepts the first one's only if both name the same.
    APP_URL: env.APP_URL ?? "http://localhost:8000",
    DATA_DIR: dataDir,
  }));
  const deps = await openDeps(config);
  await migrate(deps.db);
  const hub = streamHub(deps, hubOptions);
  const app = await createApp(deps, { manifest: await appManifest(), dev: false });
  return {
    app,
    deps,
    config,
    hub,
    async close() {
      await closeDeps(deps);
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
