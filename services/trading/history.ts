/**
 * Trade history over one or all of the caller's accounts (DESIGN §4 `GET /api/trading/history`): filters,
 * newest first by (opened_at, id), keyset pages with an opaque cursor, and a streamed CSV of every row.
 *
 * Why keyset and not offsets: a page is one index range scan per account (trades_account_opened_idx, or
 * trades_account_symbol_opened_idx with a symbol), the same cost on page 1 and page 50,000, and rows inserted
 * between two fetches cannot shift a page — a newer row lands before the cursor, never inside what is left.
 * Over several accounts each account contributes its own first `limit + 1` rows (a LATERAL scan of its index)
 * and those are merged, so a trader with many accounts never sorts all of their trades.
 */
import type { Sql } from "../../db/client.ts";
import { Unprocessable } from "../../lib/errors.ts";
import { isUuid } from "../../lib/validation.ts";
import { fromBase64Url, toBase64Url } from "../../lib/crypto.ts";
import { findReadableAccount, type Reader } from "../accounts/access.ts";

export interface HistoryFilters {
  /** One account (the caller's, or any for staff); all of the caller's own accounts when absent. */
  accountId?: string;
  symbol?: string;
  direction?: "buy" | "sell";
  result?: "win" | "loss" | "breakeven" | "open";
  /** Opened at or after. */
  from?: Date;
  /** Opened before. */
  to?: Date;
}

export interface HistoryItem {
  id: string;
  tradeId: string;
  accountId: string;
  currency: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  entryPrice: string;
  exitPrice: string | null;
  pnl: string | null;
  status: "open" | "closed";
  openedAt: string;
  closedAt: string | null;
}

export interface HistoryPage {
  items: HistoryItem[];
  /** Fetch the next (older) page with this; null on the last page. */
  nextCursor: string | null;
  /** Fetch the previous (newer) page with this as `before`; null on the first page. */
  prevCursor: string | null;
}

export const MAX_LIMIT = 200;

/** A position in the list: the exact opened_at (microseconds, as PostgreSQL keeps it) and the row id. */
type Key = { k: string; id: string };

/** The accounts a query covers, with their currencies: resolved (and access-checked) before any row is read. */
export interface HistoryScope {
  accounts: Map<string, string>;
}

/**
 * The accounts `filters.accountId` names (404 unless `user` may read it, audited) or all of `user`'s own.
 */
export async function historyScope(sql: Sql, user: Reader, filters: HistoryFilters): Promise<HistoryScope> {
  if (filters.accountId !== undefined) {
    const account = await findReadableAccount(sql, user, filters.accountId);
    return { accounts: new Map([[account.id, account.currency]]) };
  }
  const rows = await sql<{ id: string; currency: string }[]>`
    select id, currency from accounts where user_id = ${user.id}`;
  return { accounts: new Map(rows.map((r) => [r.id, r.currency])) };
}

/**
 * One page of `scope`'s trades matching `filters`, newest first. `cursor` continues after a page's
 * `nextCursor` (older rows); `before` goes back from a page's `prevCursor` (newer rows).
 *
 * @throws Unprocessable for a cursor this list did not make.
 */
export async function historyPage(
  sql: Sql,
  scope: HistoryScope,
  filters: HistoryFilters,
  page: { limit: number; cursor?: string; before?: string },
): Promise<HistoryPage> {
  const limit = Math.min(Math.max(1, page.limit), MAX_LIMIT);
  if (page.before) {
    const key = decodeCursor(page.before, "before");
    const newer = await fetchRows(sql, scope, filters, { key, older: false }, limit + 1);
    // Fewer newer rows than a page: that is the first page, shown whole.
    if (newer.length <= limit) return await historyPage(sql, scope, filters, { limit });
    const rows = newer.slice(0, limit).reverse();
    return {
      items: rows.map((r) => itemOf(r, scope)),
      nextCursor: encodeCursor(rows[rows.length - 1]),
      prevCursor: encodeCursor(rows[0]),
    };
  }
  const key = page.cursor ? decodeCursor(page.cursor, "cursor") : null;
  const rows = await fetchRows(sql, scope, filters, key && { key, older: true }, limit + 1);
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  return {
    items: items.map((r) => itemOf(r, scope)),
    nextCursor: more ? encodeCursor(items[items.length - 1]) : null,
    prevCursor: key && items.length > 0 ? encodeCursor(items[0]) : null,
  };
}

/** Every matching row of `scope`, newest first, as they are fetched (pages of `batch`). */
export async function* historyRows(
  sql: Sql,
  scope: HistoryScope,
  filters: HistoryFilters,
  batch = 1_000,
): AsyncGenerator<HistoryItem> {
  let key: Key | null = null;
  for (;;) {
    const rows = await fetchRows(sql, scope, filters, key && { key, older: true }, batch);
    for (const r of rows) yield itemOf(r, scope);
    if (rows.length < batch) return;
    key = rows[rows.length - 1];
  }
}

interface Row extends Key {
  account_id: string;
  external_id: string;
  symbol: string;
  direction: "buy" | "sell";
  volume: string;
  entry_price: string;
  exit_price: string | null;
  pnl: string | null;
  status: "open" | "closed";
  opened_at: Date;
  closed_at: Date | null;
}

function fetchRows(
  sql: Sql,
  scope: HistoryScope,
  f: HistoryFilters,
  from: { key: Key; older: boolean } | null,
  limit: number,
): Promise<Row[]> {
  const ids = [...scope.accounts.keys()];
  if (ids.length === 0) return Promise.resolve([]);
  const empty = sql``;
  const result = {
    win: sql`and t.status = 'closed' and t.pnl > 0`,
    loss: sql`and t.status = 'closed' and t.pnl < 0`,
    breakeven: sql`and t.status = 'closed' and t.pnl = 0`,
    open: sql`and t.status = 'open'`,
  };
  const keyset = from === null
    ? empty
    : from.older
    ? sql`and (t.opened_at, t.id) < (${from.key.k}::timestamptz, ${from.key.id}::uuid)`
    : sql`and (t.opened_at, t.id) > (${from.key.k}::timestamptz, ${from.key.id}::uuid)`;
  const order = from && !from.older ? sql`t.opened_at asc, t.id asc` : sql`t.opened_at desc, t.id desc`;
  return sql<Row[]>`
    select t.* from unnest(${ids}::uuid[]) as a(id)
    cross join lateral (
      select t.id, t.account_id, t.external_id, t.symbol, t.direction, t.volume::text, t.entry_price::text,
             t.exit_price::text, t.pnl::text, t.status, t.opened_at, t.closed_at,
             to_char(t.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as k
      from trades t
      where t.account_id = a.id
        ${f.symbol !== undefined ? sql`and t.symbol = ${f.symbol}` : empty}
        ${f.direction !== undefined ? sql`and t.direction = ${f.direction}` : empty}
        ${f.result !== undefined ? result[f.result] : empty}
        ${f.from !== undefined ? sql`and t.opened_at >= ${f.from}` : empty}
        ${f.to !== undefined ? sql`and t.opened_at < ${f.to}` : empty}
        ${keyset}
      order by ${order}
      limit ${limit}
    ) t
    order by ${order}
    limit ${limit}`;
}

function itemOf(r: Row, scope: HistoryScope): HistoryItem {
  return {
    id: r.id,
    tradeId: r.external_id,
    accountId: r.account_id,
    currency: scope.accounts.get(r.account_id)!,
    symbol: r.symbol,
    direction: r.direction,
    volume: r.volume,
    entryPrice: r.entry_price,
    exitPrice: r.exit_price,
    pnl: r.pnl,
    status: r.status,
    openedAt: r.opened_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
  };
}

const KEY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: base64url of the key. */
export function encodeCursor(key: Key): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify([key.k, key.id])));
}

function decodeCursor(cursor: string, field: string): Key {
  try {
    const [k, id] = JSON.parse(new TextDecoder().decode(fromBase64Url(cursor) ?? new Uint8Array()));
    if (typeof k === "string" && KEY_TIME.test(k) && isUuid(id) && !Number.isNaN(Date.parse(k))) {
      return { k, id };
    }
  } catch {
    // Falls through to the refusal below: any malformed cursor is the client's mistake.
  }
  throw new Unprocessable(field, "is not a cursor this list gave out; start again from the first page");
}
