import type { Db } from "../../db/client.ts";

/** What waits for staff now: the back office's overview leads with these, each linking to its queue. */
export interface WorkQueues {
  kycToReview: number;
  payoutsPending: number;
  /** Flagged orders still paid (a refund or a decision outstanding). */
  ordersFlagged: number;
  accountsLive: number;
  accountsPaused: number;
  /** Breaches (fails and pauses) in the last 24 hours. */
  breachesLastDay: number;
}

/** One round trip: a handful of counts over partial indexes, cheap enough for every overview request. */
export async function workQueues(db: Db, now: Date = new Date()): Promise<WorkQueues> {
  const since = new Date(+now - 24 * 3600_000);
  const [row] = await db.sql<
    {
      kyc: number;
      payouts: number;
      flagged: number;
      live: number;
      paused: number;
      breaches: number;
    }[]
  >`
    select
      (select count(*)::int from kyc_submissions where status = 'submitted') as kyc,
      (select count(*)::int from payouts where status = 'pending') as payouts,
      (select count(*)::int from orders where flag is not null and status = 'paid') as flagged,
      (select count(*)::int from accounts where status = 'active') as live,
      (select count(*)::int from accounts where status = 'paused') as paused,
      (select count(*)::int from breaches where at >= ${since}) as breaches`;
  return {
    kycToReview: row.kyc,
    payoutsPending: row.payouts,
    ordersFlagged: row.flagged,
    accountsLive: row.live,
    accountsPaused: row.paused,
    breachesLastDay: row.breaches,
  };
}
