/**
 * What a backup says about the database it was taken from, recomputed after a restore to prove the copy:
 * the schema version, the row count of every table, and the ledger checksum.
 *
 * The ledger checksum is a SHA-256 over the rows of the money-relevant tables (LEDGER_TABLES, those that
 * exist), each table's rows in primary-key order, each row as PostgreSQL's text form of the whole record
 * (`t::text`), rendered with fixed session settings (UTC, ISO dates) so the text does not depend on the
 * server's configuration. Framing: for each table `name\n`, then one line per row, then `\n`. Rows are
 * streamed through a cursor, so a large ledger is never held in memory.
 */
import { createHash } from "node:crypto";
import type { Sql } from "../../db/client.ts";

/**
 * The tables whose rows are money or decide money: balances, the events and changes behind them, breaches
 * (which end accounts), trades, orders and their payment events and refunds, payouts and their approvals.
 * Missing ones (a table a later migration adds) are skipped and the manifest lists the ones included.
 */
export const LEDGER_TABLES = [
  "accounts",
  "account_events",
  "account_changes",
  "breaches",
  "trades",
  "orders",
  "payment_events",
  "refunds",
  "payouts",
  "payout_approvals",
] as const;

export interface DatabaseFacts {
  /** The last applied migration, e.g. `016_statistics_indexes` (null before any). */
  schemaVersion: string | null;
  /** Every table of the current schema with its exact row count, sorted by name. */
  rowCounts: Record<string, number>;
  ledger: { sha256: string; tables: string[] };
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Reads the facts. Run it inside a transaction (`tx`): the settings it makes are `set local`, and a
 * repeatable-read transaction makes every count and the checksum describe the same moment.
 */
export async function databaseFacts(tx: Sql): Promise<DatabaseFacts> {
  await tx.unsafe("set local timezone to 'UTC'");
  await tx.unsafe("set local datestyle to 'ISO, YMD'");
  await tx.unsafe("set local intervalstyle to 'postgres'");
  await tx.unsafe("set local extra_float_digits to 1");
  const tables = (await tx<{ name: string }[]>`
    select c.relname as name from pg_class c
    where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
    order by c.relname`).map((r) => r.name);
  const rowCounts: Record<string, number> = {};
  for (const name of tables) {
    const [row] = await tx.unsafe<{ n: string }[]>(`select count(*)::text as n from ${ident(name)}`);
    rowCounts[name] = Number(row.n);
  }
  const hasMigrations = tables.includes("schema_migrations");
  const [latest] = hasMigrations
    ? await tx<{ version: number; name: string }[]>`
        select version, name from schema_migrations order by version desc limit 1`
    : [];
  return {
    schemaVersion: latest ? `${String(latest.version).padStart(3, "0")}_${latest.name}` : null,
    rowCounts,
    ledger: await ledgerChecksum(tx, tables),
  };
}

/** The ledger checksum (see the module comment) over the LEDGER_TABLES among `present`. */
export async function ledgerChecksum(
  tx: Sql,
  present: readonly string[],
): Promise<{ sha256: string; tables: string[] }> {
  const hash = createHash("sha256");
  const tables = LEDGER_TABLES.filter((name) => present.includes(name));
  for (const name of tables) {
    const keys = await primaryKey(tx, name);
    const order = keys.length ? keys.map(ident).join(", ") : "t::text";
    hash.update(`${name}\n`);
    const rows = tx.unsafe<{ r: string }[]>(`select t::text as r from ${ident(name)} t order by ${order}`)
      .cursor(1000);
    for await (const batch of rows) {
      for (const { r } of batch) hash.update(`${r}\n`);
    }
    hash.update("\n");
  }
  return { sha256: hash.digest("hex"), tables };
}

async function primaryKey(tx: Sql, table: string): Promise<string[]> {
  const rows = await tx<{ column: string }[]>`
    select a.attname as column
    from pg_index i
    join lateral unnest(i.indkey) with ordinality as k(attnum, pos) on true
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
    where i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident(${table}))::regclass
      and i.indisprimary
    order by k.pos`;
  return rows.map((r) => r.column);
}
