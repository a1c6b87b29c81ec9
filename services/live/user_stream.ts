/**
 * The live stream of one user, as Server-Sent Events (served by `GET /api/users/stream`): every change of
 * all their accounts — including accounts opened after the stream started — and their notifications.
 *
 * Protocol:
 * - `retry: 3000`, then `event: snapshot` (data `{accounts, unread}`) on connect or when a resume cannot be
 *   served from the logs; a resume (`Last-Event-ID` / `?lastEventId=`) replays instead what was missed;
 * - `event: change` (data = the `AccountChange` JSON as the account stream sends it) and
 *   `event: notification` (data = the notification and the unread count), each with an id that is the
 *   stream's position in every log (user_stream_id.ts), so a resume has no gap and no duplicate;
 * - `: hb` comments while nothing happens. It ends when its session ends, with `event: ended` last (no id).
 */
import type { Bus } from "../bus/mod.ts";
import type { Db, Sql } from "../../db/client.ts";
import { processStreams, RETRY_MS } from "../accounts/stream.ts";
import { changesAfter, previousOf } from "../accounts/change_log.ts";
import type { StreamOwner } from "../accounts/stream_guard.ts";
import { accountColumns, type AccountRow, summaryOf } from "../accounts/summary.ts";
import { notificationPosition, notificationsAfter } from "../notifications/queries.ts";
import type { PublishedNotification } from "../notifications/types.ts";
import { encodePositions, type ParsedId, type Positions, resolvePositions } from "./user_stream_id.ts";
import { NOTIFICATIONS, type UserFrame, type UserLog, UserStreamHub } from "./user_stream_hub.ts";

export { parseUserEventId } from "./user_stream_id.ts";

/** How far behind (per log) a resuming client may be and still get what it missed rather than a snapshot. */
export const MAX_REPLAY = 1000;

type Deps = { db: Db; bus: Bus };

const hubs = new WeakMap<Bus, UserStreamHub>();
const encoder = new TextEncoder();

/** The process's user-stream hub (sharing caps, sessions and heartbeat with the account streams). */
export async function userStreamHub(deps: Deps): Promise<UserStreamHub> {
  const sinks = await processStreams(deps);
  let hub = hubs.get(deps.bus);
  if (!hub) {
    hub = new UserStreamHub(deps.bus, sqlUserLog(deps.db.sql), sinks);
    hubs.set(deps.bus, hub);
  }
  return hub;
}

/** Open user streams of this bus's process (metrics; creates no hub). */
export function openUserStreamCount(bus: Bus): number {
  return hubs.get(bus)?.stats.streams ?? 0;
}

/** The user's logs in the database, and the decoding of what their bus channel carries. */
export function sqlUserLog(sql: Sql): UserLog {
  return {
    async changes(userId, accountId, after, limit) {
      // Scoped to the user: a stream never reads another trader's account, whatever a message named.
      const [owned] = await sql`select 1 from accounts where id = ${accountId} and user_id = ${userId}`;
      if (!owned) return [];
      const logged = await changesAfter(sql, accountId, after, limit);
      return logged.map((c) =>
        changeFrame(
          accountId,
          c.stateVersion,
          (c.payload as { previousVersion?: unknown })?.previousVersion,
          c.payload,
        )
      );
    },
    async notifications(userId, after, limit) {
      return (await notificationsAfter(sql, userId, after, limit)).map((n) =>
        notificationFrame(n.seq, n.message)
      );
    },
    positions: (userId) => positionsOf(sql, userId),
    frameOf(userId, message) {
      const m = message as
        | Partial<PublishedNotification> & {
          accountId?: unknown;
          stateVersion?: unknown;
          previousVersion?: unknown;
          account?: { userId?: unknown };
        }
        | null;
      if (m && typeof m.seq === "number" && m.notification && typeof m.notification === "object") {
        return Number.isSafeInteger(m.seq) ? notificationFrame(m.seq, m.notification) : null;
      }
      if (
        typeof m?.accountId !== "string" || m.account?.userId !== userId ||
        typeof m.stateVersion !== "number" || !Number.isSafeInteger(m.stateVersion)
      ) return null;
      return changeFrame(m.accountId, m.stateVersion, m.previousVersion, m);
    },
  };
}

function changeFrame(
  accountId: string,
  version: number,
  previousVersion: unknown,
  change: unknown,
): UserFrame {
  return {
    key: accountId,
    version,
    previous: previousOf(version, previousVersion),
    bytes: encoder.encode(`event: change\ndata: ${JSON.stringify(change)}\n\n`),
  };
}

function notificationFrame(seq: number, message: unknown): UserFrame {
  return {
    key: NOTIFICATIONS,
    version: seq,
    previous: seq - 1,
    bytes: encoder.encode(`event: notification\ndata: ${JSON.stringify(message)}\n\n`),
  };
}

async function positionsOf(sql: Sql, userId: string): Promise<Positions> {
  const rows = await sql<{ id: string; state_version: number }[]>`
    select id, state_version from accounts where user_id = ${userId}`;
  const { seq } = await notificationPosition(sql, userId);
  return { notifications: seq, accounts: new Map(rows.map((r) => [r.id, r.state_version])) };
}

export interface OpenUserStreamInput {
  userId: string;
  /** Whose stream: it ends with this session and counts against the user's and the address's caps. */
  owner: StreamOwner;
  /** The client's position (`parseUserEventId` of its Last-Event-ID), or null for a snapshot. */
  lastEventId: ParsedId | null;
}

/**
 * Opens the user's event stream. Resolves once the first frames are queued (a failing database or bus is
 * an error response, not an empty stream); the stream leaves its hub when the client disconnects.
 */
export async function openUserStream(
  deps: Deps,
  input: OpenUserStreamInput,
): Promise<ReadableStream<Uint8Array>> {
  const hub = await userStreamHub(deps);
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
    },
    cancel() {
      void hub.leave(sub);
    },
  });
  out.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
  // Subscribe before reading, so a change committed during the reads arrives live (held back until they
  // are sent) rather than falling between the two.
  const sub = await hub.join(input.userId, out, input.owner);
  try {
    const sql = deps.db.sql;
    const resumed = input.lastEventId && resumeFrom(input.lastEventId, await positionsOf(sql, input.userId));
    if (resumed) {
      await hub.start(sub, resumed.from, resumed.replay);
    } else {
      const rows = await sql<AccountRow[]>`
        select ${accountColumns(sql)} from accounts where user_id = ${input.userId}
        order by created_at desc, id`;
      const { seq, unread } = await notificationPosition(sql, input.userId);
      const accounts = rows.map(summaryOf);
      const from: Positions = {
        notifications: seq,
        accounts: new Map(accounts.map((a) => [a.id, a.stateVersion])),
      };
      out.enqueue(encoder.encode(
        `id: ${encodePositions(from)}\nevent: snapshot\ndata: ${JSON.stringify({ accounts, unread })}\n\n`,
      ));
      await hub.start(sub, from, []);
    }
  } catch (error) {
    await hub.leave(sub);
    throw error;
  }
  return body;
}

/** What a resume replays, or null when the logs cannot serve it (a snapshot then). */
function resumeFrom(parsed: ParsedId, now: Positions): { from: Positions; replay: string[] } | null {
  const from = resolvePositions(parsed, now);
  if (!from || now.notifications - from.notifications > MAX_REPLAY) return null;
  const replay: string[] = [];
  for (const [id, version] of now.accounts) {
    const at = from.accounts.get(id) ?? -1;
    if (version - at > MAX_REPLAY) return null;
    if (version > at) replay.push(id);
  }
  if (now.notifications > from.notifications) replay.push(NOTIFICATIONS);
  return { from, replay };
}
