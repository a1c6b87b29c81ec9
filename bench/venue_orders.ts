/**
 * bench:venue's market orders (issue #14): a trader's accounts on one plan, orders placed one at a time
 * through `placeOrder` (the engine path), each followed by a bare write (the floor, bench/venue_anchor.ts) at
 * the same moment's load. Per order: its time, the time from its COMMIT being sent to the answer, and its
 * statements (counted through the pool's `onQuery` hook while the order runs: `orderScope`).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { PriceBook, Tick } from "../services/venue/price_book.ts";
import type { Db } from "../db/client.ts";
import type { Deps } from "../services/deps.ts";
import { openAccount } from "../services/accounts/open.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { placeOrder } from "../services/venue/orders.ts";
import { type AnchorSample, anchorWrite } from "./venue_anchor.ts";

/**
 * The order being measured: when its COMMIT was sent, how many statements it sent, and the ticks its fill read
 * from the book (`watchQuotes`).
 */
const orderScope = new AsyncLocalStorage<{ commitAt: number; statements: number; read: Tick[] }>();

/**
 * Records, for the order in `orderScope`, every tick it reads from `book` (the fill's price and its mark's
 * quotes): which tick the fill was valued at, seen from outside the marker (bench/venue.ts counts a new
 * holder's ticks as due from the next one on). The book's ticks are the objects its subscribers are given.
 */
export function watchQuotes(book: PriceBook): void {
  const latest = book.latest.bind(book);
  book.latest = (symbol: string) => {
    const tick = latest(symbol);
    if (tick) orderScope.getStore()?.read.push(tick);
    return tick;
  };
}

/** The `onQuery` hook of the bench's pool: counts the statements of the order in `orderScope`, if any. */
export function onOrderQuery(query: string): void {
  const scope = orderScope.getStore();
  if (!scope) return;
  scope.statements++;
  if (query === "commit") scope.commitAt = performance.now();
}

/**
 * `n` FTMO-style 100K accounts of `userId` on one plan (as a firm's traders share plans: the engine's rules
 * are read and compiled once per plan, not per account).
 */
export async function openOrderAccounts(db: Db, userId: string, n: number, at: Date): Promise<string[]> {
  const { versionId } = await db.tx((tx) =>
    insertPlan(tx, {
      slug: `bench-orders-${crypto.randomUUID().slice(0, 8)}`,
      family: "Bench",
      body: ftmo100k(),
    })
  );
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await db.tx(async (tx) => {
        const [{ id: challengeId }] = await tx<{ id: string }[]>`
          insert into challenges (user_id, plan_version_id, status, started_at)
          values (${userId}, ${versionId}, 'active', ${at}) returning id`;
        const opened = await openAccount(tx, { userId, challengeId, planVersionId: versionId, stage: 0, at });
        return opened.accountId;
      }),
    );
  }
  return ids;
}

export interface OrderFigures extends Array<number> {
  /** The bare write after each order. */
  anchors: AnchorSample[];
  /** From the order's COMMIT being sent to placeOrder's answer (the flush, the publish). */
  commits: number[];
  statements: number[];
  /** Per order: its account and the tick its fill read first (undefined: none read, no fill). */
  fills: { accountId: string; tick: Tick | undefined }[];
}

/**
 * Places `n` market orders of 0.01 BTC (alternately sell and buy) on the accounts `accountFor(i)` names, one
 * at a time with a bare write after each; returns each order's time (ms) with the rest of its figures.
 */
export async function measureOrders(
  deps: Pick<Deps, "db" | "bus" | "prices">,
  userId: string,
  n: number,
  accountFor: (i: number) => string,
): Promise<OrderFigures> {
  const out = Object.assign([] as number[], {
    anchors: [],
    commits: [],
    statements: [],
    fills: [],
  }) as OrderFigures;
  for (let i = 0; i < n; i++) {
    const scope = { commitAt: NaN, statements: 0, read: [] as Tick[] };
    const accountId = accountFor(i);
    const t0 = performance.now();
    await orderScope.run(scope, () =>
      placeOrder(deps, userId, accountId, {
        symbol: "BTCUSD",
        direction: i % 2 ? "buy" : "sell",
        type: "market",
        volume: "0.01",
      }, crypto.randomUUID()));
    const t1 = performance.now();
    out.push(t1 - t0);
    out.commits.push(t1 - scope.commitAt);
    out.statements.push(scope.statements);
    out.fills.push({ accountId, tick: scope.read.find((t) => t.symbol === "BTCUSD") });
    await new Promise((r) => setTimeout(r, 10));
    out.anchors.push(await anchorWrite(deps.db));
    await new Promise((r) => setTimeout(r, 10));
  }
  return out;
}
