import type { Config } from "./config.ts";
import { type Db, openDb } from "../db/client.ts";
import { type Bus, createBus } from "./bus/mod.ts";
import { createStore, type ObjectStore } from "./storage/mod.ts";
import { createMailer } from "./mail/mod.ts";
import type { Mailer } from "./mail/mailer.ts";
import { createRateLimiter } from "./rate_limit/mod.ts";
import type { RateLimiter } from "./rate_limit/limiter.ts";
import { type TokenKeys, tokenKeys } from "./auth/tokens.ts";
import { type TwoFactorKeys, twoFactorKeysOf } from "./auth/two_factor_keys.ts";
import { deviceTokenKey } from "./auth/device_tokens.ts";
import type { AuthDeps } from "./auth/context.ts";
import { BackgroundTasks } from "./background.ts";
import { log } from "./log.ts";
import { PriceBook } from "./venue/price_book.ts";
import { defaultRedisPrefix } from "./redis_prefix.ts";

/** The long-lived services one process holds, opened once at start-up and passed down (never imported). */
export interface Deps extends AuthDeps {
  config: Config & { jwtSecret: string; syncSecret: string };
  db: Db;
  bus: Bus;
  store: ObjectStore;
  mailer: Mailer;
  limiter: RateLimiter;
  tokenKeys: TokenKeys;
  totpKey: TwoFactorKeys;
  /** Before every Redis channel and key: REDIS_PREFIX, or derived from the database (services/redis_prefix.ts). */
  redisPrefix: string;
  /** This process's latest prices (services/venue/price_book.ts), fed from the bus by startPriceFeed. */
  prices: PriceBook;
}

/**
 * Opens the database, bus, rate limiter and object store the config names — or their embedded defaults
 * (PGlite under DATA_DIR, in-process bus and limits, files under DATA_DIR/objects) when it names none.
 */
export async function openDeps(config: Deps["config"]): Promise<Deps> {
  const db = await openDb({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  const opened: { close(): Promise<void> }[] = [db];
  try {
    // Only Redis needs it; with the in-process bus nothing is shared, so no query is spent on it.
    const redisPrefix = config.redisPrefix ?? (config.redisUrl ? await defaultRedisPrefix(db.sql) : "");
    const bus = await createBus({ redisUrl: config.redisUrl, redisPrefix });
    opened.push(bus);
    const limiter = await createRateLimiter({ redisUrl: config.redisUrl, redisPrefix });
    opened.push(limiter);
    return {
      config,
      redisPrefix,
      db,
      bus,
      limiter,
      store: createStore({
        s3: config.s3,
        dataDir: config.dataDir,
        appUrl: config.appUrl,
        signingSecret: config.jwtSecret,
      }),
      mailer: createMailer({
        db,
        smtpUrl: config.smtpUrl,
        env: config.env,
        // Development only (see createMailer): the full mail, links included, so a developer can follow them.
        log: (text) => log.info(`development mail\n${text}`, { scope: "mail" }),
        from: config.mailFrom,
      }),
      tokenKeys: tokenKeys(config.jwtSecret, config.appUrl),
      totpKey: await twoFactorKeysOf(config),
      deviceKey: await deviceTokenKey(config.jwtSecret),
      background: new BackgroundTasks(),
      prices: new PriceBook(),
    };
  } catch (error) {
    await Promise.allSettled(opened.map((r) => r.close()));
    throw error;
  }
}

export async function closeDeps(deps: Deps): Promise<void> {
  // Mails already promised (a reset link) go out before the database they need is closed.
  await deps.background.settled();
  await Promise.allSettled([deps.bus.close(), deps.limiter.close(), deps.db.close()]);
}
