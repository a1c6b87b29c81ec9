/**
 * The retention jobs: each deletes only what is older than its period in services/retention.ts, the same
 * values the privacy notice states. Every job is idempotent and bounded per run (batches), so processes can
 * all run the loop: two processes deleting the same old rows simply find fewer.
 */
import type { Deps } from "../deps.ts";
import type { Db } from "../../db/client.ts";
import type { ObjectStore } from "../storage/store.ts";
import { retentionCutoff } from "../retention.ts";
import { startPeriodic } from "../periodic.ts";
import { log as appLog, reportTo } from "../log.ts";
import { optionalTables } from "./optional_tables.ts";

/** Rows one statement deletes at most: a long backlog is worked off over several runs, never in one lock. */
const BATCH = 5_000;

export interface PruneCounts {
  sessions: number;
  auditLog: number;
  mailOutbox: number;
  kycDocuments: number;
  erasedUsers: number;
}

/** Sessions (and their refresh tokens, by cascade) that ended longer ago than the sessions period. */
export async function pruneSessions(db: Db, now: Date): Promise<number> {
  const cutoff = retentionCutoff("sessions", now);
  const rows = await db.sql`
    delete from auth_sessions where id in (
      select id from auth_sessions where coalesce(revoked_at, expires_at) < ${cutoff} limit ${BATCH})`;
  return rows.count;
}

/** Audit entries written longer ago than the audit period. */
export async function pruneAuditLog(db: Db, now: Date): Promise<number> {
  const cutoff = retentionCutoff("auditLog", now);
  const rows = await db.sql`
    delete from audit_log where id in (select id from audit_log where at < ${cutoff} limit ${BATCH})`;
  return rows.count;
}

/** Mails written to the outbox longer ago than the mail-log period. */
export async function pruneMailOutbox(db: Db, now: Date): Promise<number> {
  const cutoff = retentionCutoff("mailOutbox", now);
  const rows = await db.sql`
    delete from mail_outbox where id in (select id from mail_outbox where created_at < ${cutoff} limit ${BATCH})`;
  return rows.count;
}

/**
 * Identity documents of users erased longer ago than the KYC period: the encrypted bytes leave object storage
 * first, then the row (a row without its object is harmless; an object without its row would never be found
 * again). Submissions stay (statuses and dates, no personal data) until the financial records go.
 */
export async function pruneKycDocuments(db: Db, store: ObjectStore, now: Date): Promise<number> {
  const cutoff = retentionCutoff("kycDocuments", now);
  const docs = await db.sql<{ id: string; storage_key: string }[]>`
    select d.id, d.storage_key from kyc_documents d join users u on u.id = d.user_id
    where u.erased_at < ${cutoff} limit ${BATCH}`;
  return await deleteDocuments(db, store, docs);
}

async function deleteDocuments(
  db: Db,
  store: ObjectStore,
  docs: readonly { id: string; storage_key: string }[],
): Promise<number> {
  for (const doc of docs) await store.delete(doc.storage_key);
  if (!docs.length) return 0;
  const rows = await db.sql`delete from kyc_documents where id = any(${docs.map((d) => d.id)}::uuid[])`;
  return rows.count;
}

/**
 * Users erased longer ago than the financial-records period: their documents, then every record kept for
 * them and the anonymised user row itself, one user per transaction. Audit entries they made stay (their
 * own period) with the link cut by `on delete set null`.
 */
export async function purgeErasedUsers(db: Db, store: ObjectStore, now: Date, limit = 100): Promise<number> {
  const cutoff = retentionCutoff("financialRecords", now);
  const users = await db.sql<{ id: string }[]>`
    select id from users where erased_at < ${cutoff} order by erased_at limit ${limit}`;
  const optional = await optionalTables(db.sql);
  let purged = 0;
  for (const { id } of users) {
    const docs = await db.sql<{ id: string; storage_key: string }[]>`
      select id, storage_key from kyc_documents where user_id = ${id}`;
    await deleteDocuments(db, store, docs);
    // One user whose records something still references (a table this list does not know) must not stop the
    // others: it is logged, and retried each run until the list learns the table.
    await db.tx(async (tx) => {
      // Children before parents: the foreign keys from financial records are `restrict` on purpose.
      if (optional.has("refunds")) {
        await tx`delete from refunds where order_id in (select id from orders where user_id = ${id})`;
      }
      await tx`delete from payouts where user_id = ${id}`;
      await tx`delete from accounts where user_id = ${id}`;
      await tx`delete from challenges where user_id = ${id}`;
      await tx`delete from orders where user_id = ${id}`;
      await tx`delete from users where id = ${id} and erased_at < ${cutoff}`;
    }).then(() => purged++, (error) => reportTo("retention")(`purging erased user ${id} failed`, error));
  }
  return purged;
}

/** One pass of every job; a failing job is logged (and counts 0) without keeping the others from running. */
export async function runRetention(deps: Pick<Deps, "db" | "store">, now: Date): Promise<PruneCounts> {
  const { db, store } = deps;
  const attempt = (job: string, run: () => Promise<number>) =>
    run().catch((error) => {
      reportTo("retention")(`retention job ${job} failed; retrying next run`, error);
      return 0;
    });
  return {
    sessions: await attempt("sessions", () => pruneSessions(db, now)),
    auditLog: await attempt("auditLog", () => pruneAuditLog(db, now)),
    mailOutbox: await attempt("mailOutbox", () => pruneMailOutbox(db, now)),
    kycDocuments: await attempt("kycDocuments", () => pruneKycDocuments(db, store, now)),
    erasedUsers: await attempt("financialRecords", () => purgeErasedUsers(db, store, now)),
  };
}

/**
 * Runs the jobs every `intervalMs` (default hourly) until the returned `stop`. Retention is measured in days
 * and years: an hour late costs nothing, and a failed run is retried on the next.
 */
export function startRetention(
  deps: Pick<Deps, "db" | "store">,
  opts: { intervalMs?: number; clock?: () => Date } = {},
): () => Promise<void> {
  const clock = opts.clock ?? (() => new Date());
  return startPeriodic(async () => {
    const deleted = await runRetention(deps, clock());
    if (Object.values(deleted).some((n) => n > 0)) {
      appLog.info("retention: deleted", { scope: "retention", deleted });
    }
  }, {
    intervalMs: opts.intervalMs ?? 3_600_000,
    log: reportTo("retention"),
    failure: "retention jobs failed",
  });
}
