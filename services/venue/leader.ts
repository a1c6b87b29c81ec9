/**
 * One leader per deployment by a session-level PostgreSQL advisory lock held on a dedicated connection: the
 * lock lives exactly as long as that session, so a leader that crashes or loses its connection frees it and a
 * follower takes over at its next try. The key's second half is the schema, so schemas (tests) don't contend.
 * On the embedded database there is one process and one connection: it leads, without a lock.
 */
import type { Db } from "../../db/client.ts";

/** First half of the feed's advisory-lock key ("PRFD"). */
export const FEED_LOCK_CLASS = 0x50524644;

export interface LeaderOptions {
  /** How often a follower tries for the lock and a leader checks its connection (default 2 s). */
  retryMs?: number;
  /** Starts the leader's work; resolves to the function that stops it. */
  lead: () => Promise<() => Promise<void>>;
  log: (message: string, error?: unknown) => void;
  lockClass?: number;
}

export interface Leadership {
  /** Whether this process leads now. */
  readonly leading: boolean;
  /** Stops the work (if leading), frees the lock and stops trying. */
  stop(): Promise<void>;
}

type Reserved = Awaited<ReturnType<Db["sql"]["reserve"]>>;

export function startLeaderElection(db: Db, opts: LeaderOptions): Leadership {
  const retryMs = opts.retryMs ?? 2000;
  const lockClass = opts.lockClass ?? FEED_LOCK_CLASS;
  let stopped = false;
  let conn: Reserved | null = null;
  let stopWork: (() => Promise<void>) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;

  const resign = async () => {
    const work = stopWork;
    stopWork = null;
    if (work) await work().catch((error) => opts.log("stopping the feed failed", error));
    const held = conn;
    conn = null;
    if (held) {
      await held`select pg_advisory_unlock(${lockClass}::int, hashtext(current_schema()))`.catch(() => {});
      held.release();
    }
  };

  const attempt = async () => {
    if (db.kind === "embedded") {
      if (!stopWork) stopWork = await opts.lead();
      return;
    }
    if (conn) {
      // Still leading? A dead connection means the lock is gone (another process may hold it already).
      try {
        await conn`select 1`;
        return;
      } catch (error) {
        opts.log("lost the feed's database session; stepping down", error);
        await resign();
        return;
      }
    }
    const reserved = await db.sql.reserve();
    try {
      const [{ locked }] = await reserved<{ locked: boolean }[]>`
        select pg_try_advisory_lock(${lockClass}::int, hashtext(current_schema())) as locked`;
      if (!locked) {
        reserved.release();
        return;
      }
    } catch (error) {
      reserved.release();
      throw error;
    }
    conn = reserved;
    try {
      stopWork = await opts.lead();
    } catch (error) {
      await resign();
      throw error;
    }
  };

  const loop = () => {
    running = attempt()
      .catch((error) => opts.log("feed leader election failed; retrying", error))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(loop, retryMs);
      });
  };
  loop();

  return {
    get leading() {
      return stopWork !== null;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await resign();
    },
  };
}
