/**
 * The price feed of a process (started by `fresh.config.ts` when serving; tests start it only explicitly):
 * every process follows the tick batches on the bus into its own PriceBook; with PRICE_FEED=simulated one
 * process per deployment (the advisory-lock leader, leader.ts) also generates them, publishes each step and
 * stores them about once a second. With PRICE_FEED=webhook batches arrive at `POST /api/venue/prices` on any
 * process instead (routes/api/venue/prices.ts). Old ticks and bars are pruned hourly (retention.ts).
 */
import type { Deps } from "../deps.ts";
import { PRICE_TICKS_CHANNEL } from "../bus/channels.ts";
import { startPeriodic } from "../periodic.ts";
import { reportTo } from "../log.ts";
import { type InstrumentRecord, listInstruments } from "./instruments.ts";
import { midOf } from "./conversion.ts";
import type { Tick } from "./price_book.ts";
import { createSimulator } from "./simulator.ts";
import { storedQuotes, storeTicks } from "./tick_store.ts";
import { startLeaderElection } from "./leader.ts";
import { startPriceRetention } from "./retention.ts";

type FeedDeps = Pick<Deps, "db" | "bus" | "prices" | "config">;

export interface PriceFeedOptions {
  /** The bus channel (tests use their own so parallel test files never share prices). */
  channel?: string;
  /** How often a follower tries to become the leader (default 2 s). */
  retryMs?: number;
  /** How often the leader writes what it generated (default 1 s). */
  flushMs?: number;
  /** Whether this process prunes old ticks and bars (default true). */
  retention?: boolean;
  log?: (message: string, error?: unknown) => void;
}

export interface PriceFeed {
  /** Whether this process generates the simulated prices now. */
  readonly leading: boolean;
  stop(): Promise<void>;
}

/** Follows (and, when elected, leads) the configured feed until `stop`. */
export async function startPriceFeed(deps: FeedDeps, opts: PriceFeedOptions = {}): Promise<PriceFeed> {
  const log = opts.log ?? reportTo("prices");
  const channel = opts.channel ?? PRICE_TICKS_CHANNEL;
  const unfollow = await followPrices(deps, channel, log);
  const retention = opts.retention === false ? null : startPriceRetention(deps.db, { log });
  const leadership = deps.config.priceFeed.source === "simulated"
    ? startLeaderElection(deps.db, {
      retryMs: opts.retryMs,
      log,
      lead: () => runSimulation(deps, { channel, flushMs: opts.flushMs ?? 1000, log }),
    })
    : null;
  return {
    get leading() {
      return leadership?.leading ?? false;
    },
    async stop() {
      await leadership?.stop();
      await retention?.();
      await unfollow();
    },
  };
}

/** Primes the book with the stored last quotes, then applies every batch published on `channel`. */
export async function followPrices(
  deps: Pick<Deps, "db" | "bus" | "prices">,
  channel: string,
  log: (message: string, error?: unknown) => void,
): Promise<() => Promise<void>> {
  const prime = async () => deps.prices.apply(await storedQuotes(deps.db.sql));
  const unsubscribe = await deps.bus.subscribe(channel, (message) => {
    const ticks = ticksOf(message);
    if (ticks) deps.prices.apply(ticks);
    else log(`ignoring a malformed message on ${channel}`);
  });
  // Batches published while the broker was away are lost; the stored quotes are the best catch-up.
  const offReconnect = deps.bus.onReconnect(() =>
    void prime().catch((e) => log("re-reading quotes failed", e))
  );
  await prime();
  return async () => {
    offReconnect();
    await unsubscribe();
  };
}

function ticksOf(message: unknown): Tick[] | null {
  const ticks = (message as { ticks?: unknown } | null)?.ticks;
  if (!Array.isArray(ticks)) return null;
  const valid = ticks.every((t) =>
    t && typeof t.symbol === "string" && typeof t.bid === "string" && typeof t.ask === "string" &&
    Number.isSafeInteger(t.at)
  );
  return valid ? ticks as Tick[] : null;
}

/** The leader's work: step the simulator on a fixed grid of instants, publish each step, store in batches. */
async function runSimulation(
  deps: FeedDeps,
  opts: { channel: string; flushMs: number; log: (message: string, error?: unknown) => void },
): Promise<() => Promise<void>> {
  const { seed, intervalMs } = deps.config.priceFeed;
  let instruments: InstrumentRecord[] = [];
  let version = "";
  let simulator = createSimulator([], { seed, intervalMs });
  let reloads = 0;
  // Staff edits (spread, volatility, hours, switched off) reach the walk within the reload interval; the
  // walk continues from the book's current mids.
  const reload = async () => {
    const next = await listInstruments(deps.db.sql, { activeOnly: true });
    const nextVersion = next.map((i) => `${i.symbol}@${i.updatedAt.getTime()}`).join(",");
    if (nextVersion === version) return;
    const startMids = new Map<string, string>();
    for (const i of next) {
      const mid = midOf(deps.prices, i.symbol);
      if (mid !== null) startMids.set(i.symbol, mid);
    }
    instruments = next;
    version = nextVersion;
    // The first walk is the configured seed's; a reload continues from the mids on a stream of its own.
    simulator = createSimulator(instruments, {
      seed: reloads++ ? `${seed}#${reloads}` : seed,
      startMids,
      intervalMs,
    });
  };
  await reload();
  const stopReload = startPeriodic(reload, {
    intervalMs: 30_000,
    log: opts.log,
    failure: "reloading instruments failed",
  });

  let pending: Tick[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    await deps.db.tx((tx) => storeTicks(tx, batch));
  };
  const stopFlush = startPeriodic(flush, {
    intervalMs: opts.flushMs,
    log: opts.log,
    failure: "storing ticks failed",
  });

  const start = Date.now();
  let k = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const step = () => {
    // On the grid start + k × interval; a late timer skips the missed instants rather than bunching them.
    k = Math.max(k + 1, Math.floor((Date.now() - start) / intervalMs));
    const ticks = simulator.step(start + k * intervalMs);
    if (ticks.length) {
      pending.push(...ticks);
      deps.bus.publish(opts.channel, { ticks }).catch((error) => opts.log("publishing ticks failed", error));
    }
    if (!stopped) timer = setTimeout(step, Math.max(0, start + (k + 1) * intervalMs - Date.now()));
  };
  timer = setTimeout(step, intervalMs);

  return async () => {
    stopped = true;
    clearTimeout(timer);
    await stopReload();
    await stopFlush();
    await flush().catch((error) => opts.log("storing the last ticks failed", error));
  };
}
