/**
 * The KYC workflow (DESIGN §3.3): `none → submitted → approved | rejected`; a rejected trader uploads new
 * documents and submits again. A staff decision, the activation of the trader's `pending_kyc` funded
 * accounts and the audit entry commit in one transaction; the mail and the account changes go out after.
 */
import { z } from "zod";
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { multiLine } from "../../lib/text.ts";
import { isUuid } from "../../lib/validation.ts";
import { activateFundedAccount } from "../accounts/activate.ts";
import { type AccountChange, publishChange } from "../accounts/change_log.ts";
import { type Actor, recordAudit } from "../audit.ts";
import type { Deps } from "../deps.ts";
import { log } from "../log.ts";
import { kycDecisionMail } from "../mail/templates.ts";
import { assertCanUpload, type DocumentKind, REQUIRED_KINDS } from "./documents.ts";
import type { KycStatus } from "./status.ts";

export interface Submission {
  id: string;
  status: Exclude<KycStatus, "none">;
  submittedAt: string;
  decidedAt: string | null;
  /** The reviewer's reason (always present for a rejection). */
  reason: string | null;
}

interface SubmissionRow {
  id: string;
  user_id: string;
  status: Submission["status"];
  submitted_at: Date;
  decided_at: Date | null;
  reason: string | null;
}

export function submissionJson(row: SubmissionRow): Submission {
  return {
    id: row.id,
    status: row.status,
    submittedAt: row.submitted_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.reason,
  };
}

/** The user's latest submission, or null before the first. */
export async function latestSubmission(deps: Pick<Deps, "db">, userId: string): Promise<Submission | null> {
  const [row] = await deps.db.sql<SubmissionRow[]>`
    select * from kyc_submissions where user_id = ${userId} order by submitted_at desc, id desc limit 1`;
  return row ? submissionJson(row) : null;
}

/** The required kinds the user has no draft document of yet. */
export async function missingKinds(deps: Pick<Deps, "db">, userId: string): Promise<DocumentKind[]> {
  const rows = await deps.db.sql<{ kind: DocumentKind }[]>`
    select distinct kind from kyc_documents where user_id = ${userId} and submission_id is null`;
  const have = new Set(rows.map((r) => r.kind));
  return REQUIRED_KINDS.filter((kind) => !have.has(kind));
}

/**
 * Submits the user's draft documents for review. 422 naming each missing required document; 409 while a
 * submission is under review or once approved.
 */
export async function submitForReview(
  deps: Pick<Deps, "db">,
  actor: Actor,
  userId: string,
  now: Date = new Date(),
): Promise<Submission> {
  return await deps.db.tx(async (tx) => {
    await tx`select id from users where id = ${userId} for update`;
    await assertCanUpload(tx, userId);
    const kinds = new Set((await tx<{ kind: DocumentKind }[]>`
      select kind from kyc_documents where user_id = ${userId} and submission_id is null`).map((r) =>
      r.kind
    ));
    const missing = REQUIRED_KINDS.filter((kind) => !kinds.has(kind));
    if (missing.length) {
      throw new Unprocessable(Object.fromEntries(missing.map((kind) => [kind, "must be uploaded first"])));
    }
    const [row] = await tx<SubmissionRow[]>`
      insert into kyc_submissions (user_id, submitted_at) values (${userId}, ${now}) returning *`;
    await tx`update kyc_documents set submission_id = ${row.id}
             where user_id = ${userId} and submission_id is null`;
    await recordAudit(tx, actor, "kyc.submitted", {
      type: "kyc_submission",
      id: row.id,
      details: { kinds: [...kinds].sort() },
    });
    return submissionJson(row);
  });
}

/** A submission in the staff queue, with the profile the documents are compared against. */
export interface QueuedSubmission extends Submission {
  user: {
    id: string;
    email: string;
    firstName: string;
    lastName: string;
    country: string | null;
    createdAt: string;
    /** Earlier decisions on this user (most recent first), so a reviewer sees a repeated rejection. */
    previousRejections: { decidedAt: string; reason: string }[];
  };
}

/** Submissions awaiting a decision, oldest first (at most `limit`). */
export async function reviewQueue(deps: Pick<Deps, "db">, limit = 100): Promise<QueuedSubmission[]> {
  const rows = await deps.db.sql<
    (SubmissionRow & {
      email: string;
      first_name: string;
      last_name: string;
      country: string | null;
      user_created_at: Date;
      rejections: { decidedAt: string; reason: string }[];
    })[]
  >`
    select s.*, u.email, u.first_name, u.last_name, u.country, u.created_at as user_created_at,
      coalesce((select json_agg(json_build_object('decidedAt', p.decided_at, 'reason', p.reason)
                                order by p.decided_at desc)
                from kyc_submissions p where p.user_id = s.user_id and p.status = 'rejected'), '[]') as rejections
    from kyc_submissions s join users u on u.id = s.user_id
    where s.status = 'submitted'
    order by s.submitted_at, s.id
    limit ${limit}`;
  return rows.map((row) => ({
    ...submissionJson(row),
    user: {
      id: row.user_id,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      country: row.country,
      createdAt: row.user_created_at.toISOString(),
      previousRejections: row.rejections.map((r) => ({
        decidedAt: new Date(r.decidedAt).toISOString(),
        reason: r.reason,
      })),
    },
  }));
}

/** The submission `id` with its user (for the review page), or 404. */
export async function findSubmission(
  deps: Pick<Deps, "db">,
  id: string,
): Promise<Submission & { userId: string }> {
  if (!isUuid(id)) throw new NotFound("No such submission.");
  const [row] = await deps.db.sql<SubmissionRow[]>`select * from kyc_submissions where id = ${id}`;
  if (!row) throw new NotFound("No such submission.");
  return { ...submissionJson(row), userId: row.user_id };
}

/** `PUT /api/admin/kyc/:id` body. A rejection must say why: the trader reads it to fix their documents. */
export const decisionInput = z.discriminatedUnion("action", [
  // An empty reason (a form's blank field) is no reason.
  z.object({
    action: z.literal("approve"),
    reason: multiLine().trim().max(1000).optional().transform((v) => v || undefined),
  }),
  z.object({
    action: z.literal("reject"),
    reason: multiLine().trim().min(10, "must tell the trader what to fix (at least 10 characters)").max(1000),
  }),
]);
export type Decision = z.infer<typeof decisionInput>;

/**
 * Approves or rejects a submission under review. Approval activates every `pending_kyc` funded account of
 * the trader in the same transaction. 404 for an unknown submission, 409 when it was already decided (two
 * reviewers racing: the second one learns the first decided).
 */
export async function decideSubmission(
  deps: Pick<Deps, "db" | "bus" | "mailer" | "background" | "config">,
  actor: Actor,
  id: string,
  decision: Decision,
  now: Date = new Date(),
): Promise<Submission & { activatedAccounts: string[] }> {
  if (!isUuid(id)) throw new NotFound("No such submission.");
  const { row, changes, user } = await deps.db.tx(async (tx) => {
    const [current] = await tx<SubmissionRow[]>`select * from kyc_submissions where id = ${id} for update`;
    if (!current) throw new NotFound("No such submission.");
    if (current.status !== "submitted") {
      throw new Conflict(`This submission was already ${current.status}.`);
    }
    const approved = decision.action === "approve";
    const reason = decision.reason || null;
    const [row] = await tx<SubmissionRow[]>`
      update kyc_submissions
      set status = ${approved ? "approved" : "rejected"}, decided_at = ${now}, decided_by = ${actor.userId},
          reason = ${reason}
      where id = ${id} returning *`;
    const changes: AccountChange[] = [];
    if (approved) {
      const pending = await tx<{ id: string }[]>`
        select id from accounts where user_id = ${current.user_id} and type = 'funded' and status = 'pending_kyc'
        order by created_at, id`;
      for (const account of pending) changes.push(await activateFundedAccount(tx, account.id, now));
    }
    await recordAudit(tx, actor, approved ? "admin.kyc_approved" : "admin.kyc_rejected", {
      type: "kyc_submission",
      id,
      details: { userId: current.user_id, reason, activatedAccounts: changes.map((c) => c.accountId) },
    });
    const [user] = await tx<{ email: string; first_name: string }[]>`
      select email, first_name from users where id = ${current.user_id}`;
    return { row, changes, user };
  });
  await publishChange(deps.bus, ...changes);
  const mail = kycDecisionMail(
    deps.config.appUrl,
    user.first_name,
    row.status === "approved"
      ? { approved: true, activatedAccounts: changes.length }
      : { approved: false, reason: row.reason! },
  );
  // The decision stands whether or not the mail goes out now; the outbox records a failure.
  deps.background.run("kyc decision mail", async () => {
    try {
      await deps.mailer.send({ to: user.email, ...mail });
    } catch (error) {
      log.warn("kyc decision mail failed", { scope: "kyc", error: String(error) });
    }
  });
  return { ...submissionJson(row), activatedAccounts: changes.map((c) => c.accountId) };
}
