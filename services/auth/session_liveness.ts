/**
 * Whether sessions are still live, for what outlives a single request (Server-Sent Event streams).
 *
 * A request loads its user with the session (`loadSessionUser`), so a revoked session stops working at its
 * next request; a stream is one request that lasts for hours. Its holder asks, in one query for all of its
 * streams, which sessions ended (`endedSessions`), and is told at once of the revocations made through the
 * app (`announceEndedSessions`), so logout cuts a stream before the logout response is sent.
 */
import type { Sql } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import type { Role } from "./roles.ts";
import { log } from "../log.ts";

/** The bus channel on which revoked session ids are announced to every process. */
export const ENDED_SESSIONS_CHANNEL = "auth:sessions-ended";

/** A session as a stream was opened with: its id and the role it was authorized under. */
interface HeldSession {
  id: string;
  role: Role;
}

/**
 * The ids among `sessions` that can no longer hold a stream: revoked, expired, gone, its user no longer
 * active (suspended, closed), or its user's role no longer the one the stream was opened under (a role change
 * must take effect at once, even where it did not revoke the sessions). One indexed lookup per id.
 */
export async function endedSessions(sql: Sql, sessions: readonly HeldSession[]): Promise<string[]> {
  if (sessions.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    select held.id::text as id
    from unnest(${sessions.map((s) => s.id)}::uuid[], ${sessions.map((s) => s.role)}::text[])
      as held (id, role)
    left join auth_sessions s on s.id = held.id
    left join users u on u.id = s.user_id
    where s.id is null or s.revoked_at is not null or s.expires_at <= now()
      or u.status <> 'active' or u.role <> held.role`;
  return rows.map((row) => row.id);
}

/**
 * Tells every process that these sessions ended (after the revocation committed), so their streams end now
 * rather than at the next check. Best-effort: the periodic check is the guarantee, so a failed publish is
 * logged, never thrown at a user who is signing out.
 */
export async function announceEndedSessions(bus: Bus, sessionIds: readonly string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  await bus.publish(ENDED_SESSIONS_CHANNEL, { sessionIds }).catch((error) =>
    log.error("announcing ended sessions failed; streams end at the next check", { scope: "auth", error })
  );
}

/** The session ids of an `announceEndedSessions` message (nothing for a malformed one). */
export function announcedSessionIds(message: unknown): string[] {
  const ids = (message as { sessionIds?: unknown } | null)?.sessionIds;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}
