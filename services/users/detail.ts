/**
 * One user as the back office sees them: profile, accounts, orders, payouts, KYC, live sessions and their
 * audit trail. Reads only; staff permission is checked by the route.
 */
import type { Sql } from "../../db/client.ts";
import { NotFound } from "../../lib/errors.ts";
import { listOwnAccounts, type OwnAccount } from "../accounts/access.ts";
import { type AuditRow, listAudit } from "../audit_queries.ts";
import type { Role } from "../auth/roles.ts";
import { type KycStatus, kycStatus } from "../kyc/status.ts";
import { listPayouts, type StaffPayout } from "../payouts/queries.ts";
import type { UserStatus } from "./list.ts";

export interface UserProfile {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  country: string | null;
  timeZone: string;
  role: Role;
  status: UserStatus;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  createdAt: string;
}

export interface UserOrder {
  id: string;
  planName: string | null;
  status: string;
  currency: string;
  amount: string;
  provider: string;
  createdAt: string;
  paidAt: string | null;
}

export interface UserSession {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface UserDetail {
  profile: UserProfile;
  accounts: OwnAccount[];
  orders: UserOrder[];
  payouts: StaffPayout[];
  kycStatus: KycStatus;
  sessions: UserSession[];
  audit: { items: AuditRow[]; next: string | null };
}

/** The user's profile, or 404 (a malformed id included: it names nobody). */
export async function userProfile(sql: Sql, id: string): Promise<UserProfile> {
  const [u] = await sql<
    {
      id: string;
      email: string;
      first_name: string;
      last_name: string;
      country: string | null;
      time_zone: string;
      role: Role;
      status: UserStatus;
      email_verified_at: Date | null;
      two_factor: boolean;
      created_at: Date;
    }[]
  >`
    select u.id, u.email, u.first_name, u.last_name, u.country, u.time_zone, u.role, u.status,
           u.email_verified_at, u.created_at,
           exists (select 1 from user_totp t where t.user_id = u.id and t.enabled_at is not null) as two_factor
    from users u where u.id = ${id}`;
  if (!u) throw new NotFound("No such user.");
  return {
    id: u.id,
    email: u.email,
    firstName: u.first_name,
    lastName: u.last_name,
    country: u.country,
    timeZone: u.time_zone,
    role: u.role,
    status: u.status,
    emailVerified: u.email_verified_at !== null,
    twoFactorEnabled: u.two_factor,
    createdAt: u.created_at.toISOString(),
  };
}

/** Everything the user page shows (the newest 50 of each list; the audit trail pages on with `auditCursor`). */
export async function userDetail(sql: Sql, id: string, auditCursor?: string): Promise<UserDetail> {
  const profile = await userProfile(sql, id);
  const [accounts, orders, payouts, kyc, sessions, audit] = await Promise.all([
    listOwnAccounts(sql, id, 50),
    userOrders(sql, id),
    listPayouts(sql, { userId: id, limit: 50 }),
    kycStatus(sql, id),
    liveSessions(sql, id),
    listAudit(sql, { userId: id, cursor: auditCursor, limit: 25 }),
  ]);
  return { profile, accounts, orders, payouts: payouts.items, kycStatus: kyc, sessions, audit };
}

async function userOrders(sql: Sql, userId: string): Promise<UserOrder[]> {
  const rows = await sql<
    {
      id: string;
      plan_name: string | null;
      status: string;
      currency: string;
      amount: string;
      provider: string;
      created_at: Date;
      paid_at: Date | null;
    }[]
  >`
    select o.id, v.definition ->> 'name' as plan_name, o.status, o.currency, o.amount, o.provider,
           o.created_at, o.paid_at
    from orders o left join plan_versions v on v.id = o.plan_version_id
    where o.user_id = ${userId}
    order by o.created_at desc, o.id desc limit 50`;
  return rows.map((r) => ({
    id: r.id,
    planName: r.plan_name,
    status: r.status,
    currency: r.currency,
    amount: r.amount,
    provider: r.provider,
    createdAt: r.created_at.toISOString(),
    paidAt: r.paid_at?.toISOString() ?? null,
  }));
}

/** The user's signed-in devices: sessions neither revoked nor expired, most recently used first. */
export async function liveSessions(sql: Sql, userId: string): Promise<UserSession[]> {
  const rows = await sql<
    { id: string; created_at: Date; last_seen_at: Date; ip: string | null; user_agent: string | null }[]
  >`
    select id, created_at, last_seen_at, ip, user_agent from auth_sessions
    where user_id = ${userId} and revoked_at is null and expires_at > now()
    order by last_seen_at desc limit 50`;
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}
