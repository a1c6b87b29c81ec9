import type postgres from "postgres";
import type { Sql } from "../db/client.ts";

/** Who did something, from where: taken from the request by the HTTP layer and passed down. */
export interface Actor {
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ACTOR: Actor = { userId: null, ip: null, userAgent: null };

/** Audited actions: auth events, authorization failures, every admin action, and orders (for disputes). */
export type AuditAction =
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
