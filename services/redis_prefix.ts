/**
 * The prefix of every Redis channel and key (REDIS_PREFIX), so two deployments that share one Redis neither
 * hear each other's bus messages (a trader's equity on another site's stream, another cluster's cache
 * invalidations and price ticks) nor share rate-limit counters.
 *
 * Unset, it is derived from the database's identity: what every process of one deployment has in common
 * by necessity (they share their data), and what two deployments cannot share. It is read from the server,
 * not from DATABASE_URL, since processes may reach one database by different URLs (a pooler, an address
 * instead of a name): the cluster's system identifier (set by initdb), the database name and the schema. A
 * copy of the database restored into another database, schema or server gets another prefix.
 */
import { createHash } from "node:crypto";
import type { Sql } from "../db/client.ts";

/** `pt-` + 12 hex digits of SHA-256 over the database's identity, e.g. `pt-3f9a1c2b4d5e`. */
export async function defaultRedisPrefix(sql: Sql): Promise<string> {
  let row: { identity: string };
  try {
    [row] = await sql<{ identity: string }[]>`
      select concat_ws('/', (select system_identifier::text from pg_control_system()), current_database(),
                       current_schema()) as identity`;
  } catch (error) {
    throw new Error(
      `REDIS_PREFIX: unset, and the database's identity cannot be read to derive it (${error}); set it`,
      { cause: error },
    );
  }
  return `pt-${createHash("sha256").update(row.identity).digest("hex").slice(0, 12)}`;
}
