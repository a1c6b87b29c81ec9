/**
 * One leader per deployment by a session-level PostgreSQL advisory lock held on a dedicated connection (its
 * own one-connection client, not the pool's): the lock lives exactly as long as that session, so a leader that
 * crashes or loses its connection frees it and a follower takes over at its next try. A leader notices a lost
 * session by its backend pid changing (the client reconnects on the next query) and steps down. The key's
 * second half is the schema, so schemas (tests) don't contend. On the embedded database there is one process
 * and one connection: it leads, without a lock.
 */
import type postgres from "postgres";
import type { Db } from "../../db/client.ts";

/** First half of the feed's advisory-lock key ("PRFD"). */
export const FEED_LOCK_CLASS = 0x50524644;

export interface LeaderOptions {
  /** How often a follower tries for the lock and a leader checks its session (default 2 s). */
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

export function startLeaderElection(db: Db, opts: LeaderOptions): Leadership {
  const retryMs = opts.retryMs ?? 2000;
  const lockClass = opts.lockClass ?? FEED_LOCK_CLASS;
  let stopped = false;
  let client: postgres.Sql | null = null;
  /** The backend that holds the lock while leading. */
  let lockPid: number | null = null;
  let stopWork: (() => Promise<void>) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | null = null;

  const stopLeading = async () => {
    const work = stopWork;
    stopWork = null;
    lockPid = null;
    if (work) await work().catch((error) => opts.log("stopping the leader's work failed", error));
  };

  const attempt = async () => {
    if (db.kind === "embedded" || !db.dedicated) {
      if (!stopWork) stopWork = await opts.lead();
      return;
    }
    client ??= db.dedicated();
    const [{ pid }] = await client<{ pid: number }[]>`select pg_backend_pid() as pid`;
    if (lockPid !== null) {
      if (pid === lockPid) return;
      // A new session: the one that held the lock is gone (another process may lead already).
      opts.log("the leader's database session was lost; stepping down");
      await stopLeading();
    }
    const [{ locked }] = await client<{ locked: boolean; pid: number }[]>`
      select pg_try_advisory_lock(${lockClass}::int, hashtext(current_schema())) as locked`;
    if (!locked) return;
    lockPid = pid;
    try {
      stopWork = await opts.lead();
    } catch (error) {
      lockPid = null;
      await client`select pg_advisory_unlock(${lockClass}::int, hashtext(current_schema()))`.catch(() => {});
      throw error;
    }
  };

  const loop = () => {
    running = attempt()
      .catch((error) => opts.log("leader election failed; retrying", error))
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
      await stopLeading();
      // Ending the session frees the lock.
      await client?.end({ timeout: 5 }).catch(() => {});
      client = null;
    },
  };
}
