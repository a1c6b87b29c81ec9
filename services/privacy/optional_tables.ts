/**
 * Tables the export and the purge handle when the installation has them: features that arrive in their own
 * migrations (refunds, self-locks, the simulated venue's orders and positions). Asking the catalogue keeps
 * these modules correct whichever of those migrations are present, instead of failing on a missing table.
 */
import type { Sql } from "../../db/client.ts";

/** Per-account tables a trader's export includes when present, in the order the export lists them. */
export const OPTIONAL_ACCOUNT_TABLES = ["account_self_locks", "venue_orders", "venue_positions"] as const;

/** Every optional table the privacy code knows about. */
const KNOWN = [...OPTIONAL_ACCOUNT_TABLES, "refunds"] as const;

export type OptionalTable = (typeof KNOWN)[number];

/** Which of the optional tables exist in the schema the connection works in. */
export async function optionalTables(sql: Sql): Promise<Set<OptionalTable>> {
  const rows = await sql<{ name: OptionalTable }[]>`
    select t.name from unnest(${KNOWN as unknown as string[]}::text[]) as t(name)
    where to_regclass(t.name) is not null`;
  return new Set(rows.map((r) => r.name));
}
