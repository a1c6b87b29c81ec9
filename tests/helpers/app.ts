import { buildOptions, createApp } from "../../fresh.config.ts";
import { ensureBuild } from "../../lib/build.ts";
import type { FreshApp } from "../../lib/app.ts";
import type { BuildManifest } from "../../lib/build_manifest.ts";
import { ensureSecrets, loadConfig } from "../../services/config.ts";
import type { Deps } from "../../services/deps.ts";
import { createBus } from "../../services/bus/mod.ts";
import { createStore } from "../../services/storage/mod.ts";
import { openTestDb } from "./db.ts";
import { createRateLimiter } from "../../services/rate_limit/mod.ts";
import { createMailer } from "../../services/mail/mod.ts";
import { tokenKeys } from "../../services/auth/tokens.ts";
import { twoFactorKeysOf } from "../../services/auth/two_factor_keys.ts";
import { deviceTokenKey } from "../../services/auth/device_tokens.ts";
import { testEnv } from "./env.ts";
import { TestInbox } from "./mail.ts";
import { BackgroundTasks } from "../../services/background.ts";
import { PriceBook } from "../../services/venue/price_book.ts";
import { defaultRedisPrefix } from "../../services/redis_prefix.ts";

let manifest: Promise<BuildManifest> | null = null;

/** The production build of the real app, built at most once per test process (and only if sources changed). */
export function appManifest(): Promise<BuildManifest> {
  manifest ??= ensureBuild(buildOptions);
  return manifest;
}

export interface TestApp {
  app: FreshApp;
  deps: Deps;
  /** Every mail the app sent, in full, as its recipients got it (the outbox keeps redacted copies). */
  inbox: TestInbox;
  close(): Promise<void>;
}

/**
 * The real app over test services: the test database (real PostgreSQL or the shared PGlite), the Redis bus
 * when REDIS_URL is set (in-process otherwise), and a disk store in a temporary directory.
 */
export async function openTestApp(overrides: Partial<Deps> = {}): Promise<TestApp> {
  const dataDir = await Deno.makeTempDir({ prefix: "proptrade-test-" });
  const config = await ensureSecrets(
    loadConfig({ APP_ENV: "test", DATA_DIR: dataDir, APP_URL: "http://localhost:8000" }),
  );
  const db = overrides.db ?? await openTestDb();
  // As openDeps derives it: a process spawned on this test's schema (tests/helpers/served_app.ts) shares the bus.
  const redisPrefix = testEnv.redisUrl && testEnv.databaseUrl ? await defaultRedisPrefix(db.sql) : "";
  const bus = overrides.bus ?? await createBus({ redisUrl: testEnv.redisUrl, redisPrefix });
  const store = overrides.store ??
    createStore({ dataDir, appUrl: config.appUrl, signingSecret: config.jwtSecret });
  const limiter = overrides.limiter ?? await createRateLimiter({ redisUrl: testEnv.redisUrl, redisPrefix });
  const inbox = new TestInbox(
    overrides.mailer ?? createMailer({ db, smtpUrl: undefined, env: "test", log: () => {} }),
  );
  const deps: Deps = {
    config,
    db,
    bus,
    store,
    limiter,
    mailer: inbox,
    redisPrefix,
    tokenKeys: tokenKeys(config.jwtSecret, config.appUrl),
    totpKey: await twoFactorKeysOf(config),
    deviceKey: await deviceTokenKey(config.jwtSecret),
    background: overrides.background ?? new BackgroundTasks(),
    prices: overrides.prices ?? new PriceBook(),
  };
  const app = await createApp(deps, { manifest: await appManifest(), dev: false });
  return {
    app,
    deps,
    inbox,
    async close() {
      await deps.background.settled();
      await bus.close();
      await limiter.close();
      await db.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** The same app over `deps`, but selling through the signed-webhook payment provider (as production does). */
export async function webhookProviderApp(deps: Deps): Promise<FreshApp> {
  return await createApp(
    { ...deps, config: { ...deps.config, paymentProvider: "webhook" } },
    { manifest: await appManifest(), dev: false },
  );
}
