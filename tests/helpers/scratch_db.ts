/**
 * A whole scratch database on the test server (not just a schema, as openTestDb gives): backups dump and
 * restore entire databases, and a restore needs an empty one. Dropped again by `drop()`.
 */
import postgres from "postgres";

export interface ScratchDb {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database beside the one `serverUrl` names, e.g. `backup_src_m3k1x9_4f2a`. */
export async function createScratchDb(serverUrl: string, prefix: string): Promise<ScratchDb> {
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const name = `${prefix}_${Date.now().toString(36)}_${random}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}
