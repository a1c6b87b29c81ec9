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
  for (const { id } of users) {
    const docs = await db.sql<{ id: string; storage_key: string }[]>`
      select id, storage_key from kyc_documents where user_id = ${id}`;
    await deleteDocuments(db, store, docs);
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
    });
  }
  return users.length;
}

/** One pass of every job. */
export async function runRetention(deps: Pick<Deps, "db" | "store">, now: Date): Promise<PruneCounts> {
  return {
    sessions: await pruneSessions(deps.db, now),
    auditLog: await pruneAuditLog(deps.db, now),
    mailOutbox: await pruneMailOutbox(deps.db, now),
    kycDocuments: await pruneKycDocuments(deps.db, deps.store, now),
    erasedUsers: await purgeErasedUsers(deps.db, deps.store, now),
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
