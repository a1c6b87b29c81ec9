/**
 * `GET /api/challenges/:id/progress` (DESIGN §4): the challenge's status and its current phase's objectives
 * and breach, read from the persisted engine state with the same `objectives` the simulator uses.
 */
import type { Sql } from "../../db/client.ts";
import { Conflict } from "../../lib/errors.ts";
import type { Objective } from "../engine/objectives.ts";
import type { BreachEvidence } from "../engine/state.ts";
import { findReadableChallenge, type Reader } from "./access.ts";
import type { AccountStatus } from "./summary.ts";
import { loadAccountView } from "./view.ts";

interface ChallengeProgress {
  status: "active" | "passed" | "failed";
  /** 1-based phase shown: the current one, or the last one reached once the challenge ended. */
  phase: number;
  /** That phase's account. */
  accountId: string;
  /** The account's own status: `paused` (daily-loss pause) shows here, the challenge stays `active`. */
  accountStatus: AccountStatus;
  objectives: Objective[];
  breach: BreachEvidence | null;
  /** The funded account opened after the last phase passed, or null. */
  fundedAccountId: string | null;
}

/**
 * The progress of a challenge `user` may read (owner or `accounts.read_any`; 404 for anyone else).
 *
 * @throws Conflict while the challenge has no account yet (payment pending) or was cancelled.
 */
export async function challengeProgress(
  sql: Sql,
  user: Reader,
  challengeId: string,
  now: Date = new Date(),
): Promise<ChallengeProgress> {
  const challenge = await findReadableChallenge(sql, user, challengeId);
  if (challenge.status !== "active" && challenge.status !== "passed" && challenge.status !== "failed") {
    throw new Conflict(`The challenge has not started (status ${challenge.status}).`);
  }
  const rows = await sql<{ id: string; type: string }[]>`
    select id, type from accounts
    where challenge_id = ${challengeId}
      and ((type = 'challenge' and phase = ${challenge.currentPhase}) or type = 'funded')
    order by created_at desc`;
  const phaseAccount = rows.find((r) => r.type === "challenge");
  if (!phaseAccount) throw new Conflict("The challenge's current phase has no account yet.");
  const view = await loadAccountView(sql, phaseAccount.id, now);
  if (!view) throw new Conflict("The challenge's current phase has no account yet.");
  return {
    status: challenge.status,
    phase: challenge.currentPhase,
    accountId: phaseAccount.id,
    accountStatus: view.account.status,
    objectives: view.objectives,
    breach: view.breach,
    fundedAccountId: rows.find((r) => r.type === "funded")?.id ?? null,
  };
}
