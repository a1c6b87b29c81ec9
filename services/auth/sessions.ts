import type { Db, Sql } from "../../db/client.ts";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { HttpError, NotFound, Unauthorized } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import type { Role } from "./roles.ts";
import type { Bus } from "../bus/mod.ts";
import { announceEndedSessions } from "./session_liveness.ts";

/** What ending sessions needs: the database, and the bus that tells open streams (any process) at once. */
type SessionDeps = { db: Db; bus: Bus };

/** A login lasts at most 30 days; each refresh token 30 days too, but it is single-use. */
const SESSION_DAYS = 30;
const DAY_MS = 86_400_000;

type RevokeReason = "logout" | "token_reuse" | "password_change" | "user" | "admin";

/** The signed-in user as every request sees it, loaded with the session (so revocation is immediate). */
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  firstName: string;
  lastName: string;
  timeZone: string;
  emailVerified: boolean;
  sessionId: string;
  reauthenticatedAt: Date;
  /** 2FA is confirmed (not merely begun). Staff need it before the back office answers them. */
  twoFactorEnabled: boolean;
}

interface NewSession {
  sessionId: string;
  refreshToken: string;
  expiresAt: Date;
}

async function insertRefreshToken(tx: Sql, sessionId: string, expiresAt: Date): Promise<string> {
  const token = randomToken(32);
  await tx`
    insert into refresh_tokens (session_id, token_hash, expires_at)
    values (${sessionId}, ${await sha256Hex(token)}, ${expiresAt})`;
  return token;
}

/** Starts a login: a session and its first refresh token. Run inside the login transaction. */
export async function createSession(
  tx: Sql,
  userId: string,
  actor: Actor,
  now = new Date(),
): Promise<NewSession> {
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * DAY_MS);
  const [session] = await tx<{ id: string }[]>`
    insert into auth_sessions (user_id, created_at, last_seen_at, reauthenticated_at, expires_at, ip, user_agent)
    values (${userId}, ${now}, ${now}, ${now}, ${expiresAt}, ${actor.ip}, ${
    actor.userAgent?.slice(0, 512) ?? null
  })
    returning id`;
  return {
    sessionId: session.id,
    refreshToken: await insertRefreshToken(tx, session.id, expiresAt),
    expiresAt,
  };
}

/**
 * Exchanges a refresh token for a new one. A token is good once: presenting a spent token means it was
 * copied, so the whole session (every token descended from that login) is revoked and audited — both the
 * thief's and the victim's copies stop working.
 *
 * `graceMs` is for browsers only: a page's parallel requests all carry the same refresh cookie once the access
 * cookie expired, and all but one lose the race. A token spent less than `graceMs` ago is then refused
 * (`refresh_in_progress`, 401) without revoking anything — it grants nothing, so it gives a thief nothing.
 * API clients hold their tokens themselves and get the strict rule.
 */
export async function rotateRefreshToken(
  db: Db,
  token: string,
  actor: Actor,
  now = new Date(),
  opts: { graceMs?: number } = {},
): Promise<{ userId: string; role: Role; sessionId: string; refreshToken: string; expiresAt: Date }> {
  const hash = await sha256Hex(token);
  const outcome = await db.tx(async (tx) => {
    const [row] = await tx<
      {
        token_id: string;
        used_at: Date | null;
        token_expires_at: Date;
        session_id: string;
        revoked_at: Date | null;
        session_expires_at: Date;
        user_id: string;
        role: Role;
        status: string;
      }[]
    >`
      select t.id as token_id, t.used_at, t.expires_at as token_expires_at, s.id as session_id, s.revoked_at,
             s.expires_at as session_expires_at, u.id as user_id, u.role, u.status
      from refresh_tokens t
      join auth_sessions s on s.id = t.session_id
      join users u on u.id = s.user_id
      where t.token_hash = ${hash}
      for update of t, s`;
    if (!row) return { kind: "invalid" as const };
    // Within the grace, a parallel request of the same page spent the token first. `now` was read before this
    // request waited for the row lock, so it may be earlier than `used_at`: the gap counts either way, and
    // without a grace (API clients) every replay is reuse.
    const grace = opts.graceMs ?? 0;
    if (row.used_at && !row.revoked_at && Math.abs(now.getTime() - row.used_at.getTime()) < grace) {
      return { kind: "raced" as const };
    }
    if (row.used_at) {
      if (!row.revoked_at) {
        await revokeSession(tx, row.session_id, "token_reuse", now);
        await recordAudit(tx, { ...actor, userId: row.user_id }, "auth.refresh_reuse", {
          type: "session",
          id: row.session_id,
        });
      }
      return { kind: "reused" as const };
    }
    if (
      row.revoked_at || row.session_expires_at <= now || row.token_expires_at <= now ||
      row.status !== "active"
    ) {
      return { kind: "invalid" as const };
    }
    await tx`update refresh_tokens set used_at = ${now} where id = ${row.token_id}`;
    await tx`update auth_sessions set last_seen_at = ${now} where id = ${row.session_id}`;
    const refreshToken = await insertRefreshToken(tx, row.session_id, row.session_expires_at);
    return {
      kind: "ok" as const,
      value: {
        userId: row.user_id,
        role: row.role,
        sessionId: row.session_id,
        refreshToken,
        expiresAt: row.session_expires_at,
      },
    };
  });
  // Thrown after the transaction so the revocation of a reused family is committed.
  if (outcome.kind === "raced") {
    throw new HttpError(401, "refresh_in_progress", "This session was just refreshed by another request.");
  }
  if (outcome.kind !== "ok") throw new Unauthorized("The refresh token is invalid, expired or already used.");
  return outcome.value;
}

async function revokeSession(sql: Sql, sessionId: string, reason: RevokeReason, now = new Date()) {
  await sql`
    update auth_sessions set revoked_at = ${now}, revoked_reason = ${reason}
    where id = ${sessionId} and revoked_at is null`;
}

/**
 * Revokes every live session of a user except `keep` (password change, "sign out everywhere else");
 * returns the ids it ended.
 */
export async function revokeOtherSessions(
  sql: Sql,
  userId: string,
  keep: string | null,
  reason: RevokeReason,
  now = new Date(),
): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    update auth_sessions set revoked_at = ${now}, revoked_reason = ${reason}
    where user_id = ${userId} and revoked_at is null and (${keep}::uuid is null or id <> ${keep}::uuid)
    returning id`;
  return rows.map((row) => row.id);
}

/** The user behind a live session, or null when the session is revoked, expired or the user is not active. */
export async function loadSessionUser(
  sql: Sql,
  sessionId: string,
  now = new Date(),
): Promise<SessionUser | null> {
  const [row] = await sql<
    {
      id: string;
      email: string;
      role: Role;
      first_name: string;
      last_name: string;
      time_zone: string;
      email_verified_at: Date | null;
      reauthenticated_at: Date;
      two_factor_enabled: boolean;
    }[]
  >`
    select u.id, u.email, u.role, u.first_name, u.last_name, u.time_zone, u.email_verified_at, s.reauthenticated_at,
           exists (select 1 from user_totp t where t.user_id = u.id and t.enabled_at is not null)
             as two_factor_enabled
    from auth_sessions s join users u on u.id = s.user_id
    where s.id = ${sessionId} and s.revoked_at is null and s.expires_at > ${now} and u.status = 'active'`;
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    firstName: row.first_name,
    lastName: row.last_name,
    timeZone: row.time_zone,
    emailVerified: row.email_verified_at !== null,
    sessionId,
    reauthenticatedAt: row.reauthenticated_at,
    twoFactorEnabled: row.two_factor_enabled,
  };
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/** The caller's live sessions, newest first. */
export async function listSessions(sql: Sql, user: SessionUser): Promise<SessionView[]> {
  const rows = await sql<
    { id: string; created_at: Date; last_seen_at: Date; ip: string | null; user_agent: string | null }[]
  >`
    select id, created_at, last_seen_at, ip, user_agent from auth_sessions
    where user_id = ${user.id} and revoked_at is null and expires_at > now()
    order by created_at desc limit 100`;
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
    current: r.id === user.sessionId,
  }));
}

/** Revokes one of the caller's own sessions; another user's session id is a 404, never a hint. */
export async function revokeOwnSession(
  deps: SessionDeps,
  user: SessionUser,
  sessionId: string,
  actor: Actor,
): Promise<void> {
  await deps.db.tx(async (tx) => {
    const rows = await tx`
      update auth_sessions set revoked_at = now(), revoked_reason = 'user'
      where id = ${sessionId} and user_id = ${user.id} and revoked_at is null
      returning id`;
    if (rows.length === 0) throw new NotFound("No such session.");
    await recordAudit(tx, actor, "auth.session_revoked", { type: "session", id: sessionId });
  });
  await announceEndedSessions(deps.bus, [sessionId]);
}

/**
 * Marks that the user just proved presence in this session: with a second factor (2FA or recovery code), or
 * with the password alone (`secondFactor` false). Payouts need the former when 2FA is on (step_up.ts).
 */
export async function markReauthenticated(
  sql: Sql,
  sessionId: string,
  now = new Date(),
  secondFactor = false,
): Promise<void> {
  await sql`update auth_sessions set reauthenticated_at = ${now}, reauth_second_factor = ${secondFactor}
            where id = ${sessionId}`;
}

/** Ends the login a refresh token belongs to (API logout); an unknown token changes nothing. */
async function revokeByRefreshToken(
  sql: Sql,
  token: string,
  now = new Date(),
): Promise<{ id: string; user_id: string } | null> {
  const [row] = await sql<{ id: string; user_id: string }[]>`
    update auth_sessions s set revoked_at = ${now}, revoked_reason = 'logout'
    from refresh_tokens t
    where t.session_id = s.id and t.token_hash = ${await sha256Hex(token)} and s.revoked_at is null
    returning s.id, s.user_id`;
  return row ?? null;
}

/**
 * Sign-out (the API's logout and the page's button): ends the caller's session and, for API clients, the
 * login `refreshToken` belongs to; audited; open streams of those sessions end before this returns (in this
 * process; within moments in the others).
 */
export async function signOut(
  deps: SessionDeps,
  input: { user: SessionUser | null; refreshToken?: string },
  actor: Actor,
): Promise<void> {
  const ended = await deps.db.tx(async (tx) => {
    const ended: { id: string; user_id: string }[] = [];
    if (input.user) {
      await revokeSession(tx, input.user.sessionId, "logout");
      ended.push({ id: input.user.sessionId, user_id: input.user.id });
    }
    const byToken = input.refreshToken ? await revokeByRefreshToken(tx, input.refreshToken) : null;
    if (byToken) ended.push(byToken);
    const userId = input.user?.id ?? byToken?.user_id;
    if (userId) await recordAudit(tx, { ...actor, userId }, "auth.logout", { type: "user", id: userId });
    return ended.map((session) => session.id);
  });
  await announceEndedSessions(deps.bus, ended);
}

/** "Sign out everywhere else": revokes the caller's other sessions, audited. Returns how many ended. */
export async function signOutOtherSessions(
  deps: SessionDeps,
  user: SessionUser,
  actor: Actor,
): Promise<number> {
  const ended = await deps.db.tx(async (tx) => {
    const ended = await revokeOtherSessions(tx, user.id, user.sessionId, "user");
    await recordAudit(tx, actor, "auth.session_revoked", {
      type: "user",
      id: user.id,
      details: { revoked: ended.length },
    });
    return ended;
  });
  await announceEndedSessions(deps.bus, ended);
  return ended.length;
}
