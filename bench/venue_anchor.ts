/**
 * The venue benchmark's floor (DESIGN §5, issue #14): what one bare write costs on this database right now.
 * A market order is a write transaction that must be durable before the trader hears "filled", so it can never
 * be faster than BEGIN; INSERT one row; COMMIT — and on a slow disk the COMMIT's WAL flush is most of that.
 * Measured from the same process, on the same pool and database, interleaved with the orders (the same
 * moment's load), so the order's figures print as ratios to it.
 */
import type { Db } from "../db/client.ts";

/** One bare write: the whole transaction, and its COMMIT alone (the WAL flush and its wait). */
export interface AnchorSample {
  txMs: number;
  commitMs: number;
}

/** Creates the anchor's one-row-per-write table in the bench's scratch schema. */
export async function prepareAnchor(db: Db): Promise<void> {
  await db
    .sql`create table if not exists bench_commit_anchor (id bigserial primary key, at timestamptz not null)`;
}

/**
 * BEGIN; INSERT one row; COMMIT on a connection reserved from the pool, as `db.tx` does it (the order path's
 * transaction wrapper, db/transaction.ts): the floor of any durable write.
 */
export async function anchorWrite(db: Db): Promise<AnchorSample> {
  const t0 = performance.now();
  const conn = await db.sql.reserve();
  try {
    await conn.unsafe("begin");
    await conn`insert into bench_commit_anchor (at) values (now())`;
    const t1 = performance.now();
    await conn.unsafe("commit");
    const t2 = performance.now();
    return { txMs: t2 - t0, commitMs: t2 - t1 };
  } finally {
    conn.release();
  }
}

/** The server's durability settings that set the floor (read, never changed). */
export async function durabilitySettings(db: Db): Promise<string> {
  const rows = await db.sql<{ name: string; setting: string; unit: string | null }[]>`
    select name, setting, unit from pg_settings
    where name in ('synchronous_commit', 'wal_sync_method', 'commit_delay', 'commit_siblings', 'fsync',
                   'full_page_writes', 'wal_writer_delay')
    order by name`;
  return rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ""}`).join(" ");
}
