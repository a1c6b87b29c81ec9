import type { Config } from "./config.ts";
import { type Db, openDb } from "../db/client.ts";
import { type Bus, createBus } from "./bus/mod.ts";
import { createStore, type ObjectStore } from "./storage/mod.ts";

/** The long-lived services one process holds, opened once at start-up and passed down (never imported). */
export interface Deps {
  config: Config & { jwtSecret: string; syncSecret: string };
  db: Db;
  bus: Bus;
  store: ObjectStore;
}

/**
 * Opens the database, bus and object store the config names — or their embedded defaults (PGlite under
 * DATA_DIR, the in-process bus, files under DATA_DIR/objects) when it names none.
 */
export async function openDeps(config: Deps["config"]): Promise<Deps> {
  const db = await openDb({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  try {
    const bus = await createBus({ redisUrl: config.redisUrl });
    const store = createStore({
      s3: config.s3,
      dataDir: config.dataDir,
      appUrl: config.appUrl,
      signingSecret: config.jwtSecret,
    });
    return { config, db, bus, store };
  } catch (error) {
    await db.close();
    throw error;
  }
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.bus.close(), deps.db.close()]);
}
