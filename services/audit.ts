import type postgres from "postgres";
import type { Db, Sql } from "../db/client.ts";

/** Who did something, from where: taken from the request by the HTTP layer and passed down. */
export interface Actor {
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, ip: null, userAgent: null };

/** Audited actions: auth events, authorization failures, every admin action, and orders (for disputes). */
type AuditAction =
  | "auth.register"
  | "auth.register_taken"
  | "auth.login"
  | "auth.login_failed"
  | "auth.logout"
  | "auth.refresh_reuse"
  | "auth.password_changed"
  | "auth.password_reset"
  | "auth.email_verified"
  | "auth.email_changed"
  | "auth.2fa_enabled"
  | "auth.2fa_disabled"
  | "auth.recovery_code_used"
  | "auth.recovery_codes_regenerated"
  | "auth.session_revoked"
  | "auth.reauthenticated"
  | "authz.denied"
  | "admin.user_created"
  | "admin.role_changed"
  | "admin.plan_created"
  | "admin.plan_versioned"
  | "admin.plan_updated"
  | "admin.coupon_created"
  | "admin.coupon_updated"
  | `admin.${string}`
  | `payout.${string}`
  | "privacy.exported"
  | "privacy.erased"
  | "kyc.submitted"
  | "kyc.document_viewed"
  | "commerce.order_placed"
  | "commerce.coupon_over_limit"
  | "account.self_locks_changed";

/**
 * Appends one audit entry. Pass the transaction that made the change, so the entry and the change commit or
 * roll back together.
 */
export async function recordAudit(
  sql: Sql,
  actor: Actor,
  action: AuditAction,
  target: { type?: string; id?: string | null; details?: Record<string, unknown> } = {},
): Promise<void> {
  await sql`
    insert into audit_log (actor_id, action, target_type, target_id, ip, user_agent, details)
    values (${actor.userId}, ${action}, ${target.type ?? null}, ${target.id ?? null}, ${actor.ip},
            ${actor.userAgent?.slice(0, 512) ?? null}, ${
    sql.json((target.details ?? {}) as postgres.JSONValue)
  })`;
}

/** One line of the back office's audit list: when, what, who (by email), on what, from where. */
interface AuditListItem {
  at: Date;
  action: string;
  actor: string | null;
  target: string | null;
  ip: string | null;
}

/** The newest audit entries first, with the actor's email (null for system actions). */
export async function latestAuditEntries(db: Db, limit = 25): Promise<AuditListItem[]> {
  return await db.sql<AuditListItem[]>`
    select a.at, a.action, u.email as actor, concat_ws(':', a.target_type, a.target_id) as target, a.ip
    from audit_log a left join users u on u.id = a.actor_id
    order by a.at desc limit ${limit}`;
}
