/**
 * The live stream of one account, as Server-Sent Events (served by `GET /api/accounts/:id/stream`). The entry
 * of streaming: `stream_hub.ts` fans changes out to a process's streams, `stream_sinks.ts` and
 * `stream_guard.ts` cap, heartbeat and end them with their sessions (for user streams too: services/live/),
 * `stream_frames.ts` encodes them; the changes come from `change_log.ts`.
 *
 * Protocol:
 * - `retry: 3000` first, then either
 *   - `event: snapshot` with `id: <stateVersion>` and the account view (summary, objectives, breach), or,
 *     when the client resumes (`Last-Event-ID` / `?lastEventId=`), every logged change after that id;
 * - then `event: change` frames, `id: <stateVersion>`, data = the `AccountChange` JSON, in version order
 *   with no gaps and no duplicates (ids grow, but not by one: a sync batch of n events moves them by n);
 * - `: hb` comments while nothing happens; when the session ends, `event: ended` (no id) and the end.
 * A resume from an id the log cannot serve (ahead of the account, not a number, or more than
 * `MAX_REPLAY_VERSIONS` behind) gets a fresh snapshot instead: the snapshot supersedes what was missed.
 */
import type postgres from "postgres";
import type { Bus } from "../bus/mod.ts";
import type { Db, Sql } from "../../db/client.ts";
import { NotFound } from "../../lib/errors.ts";
import { announcedSessionIds, ENDED_SESSIONS_CHANNEL, endedSessions } from "../auth/session_liveness.ts";
import { StreamHub, type StreamHubOptions } from "./stream_hub.ts";
import { SinkSet } from "./stream_sinks.ts";
import { changeFrame, encodeEvent, type Frame } from "./stream_frames.ts";
import { changesAfter } from "./change_log.ts";
import type { StreamOwner } from "./stream_guard.ts";
import { type AccountView, loadAccountView } from "./view.ts";

/** How far behind a resuming client may be and still get the missed changes rather than a new snapshot. */
export const MAX_REPLAY_VERSIONS = 1000;

/** How long an EventSource waits before reconnecting after the stream drops. */
export const RETRY_MS = 3000;

const RETRY = new TextEncoder().encode(`retry: ${RETRY_MS}\n\n`);

/** The headers of every stream: no caching, no buffering by nginx-style proxies, no compression. */
export const STREAM_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

type StreamDeps = { db: Db; bus: Bus };

/** One hub per bus, i.e. per process (tests open several apps, each with its own bus). */
const hubs = new WeakMap<Bus, StreamHub>();

/** The streams of each hub's process: account and user streams share their caps and heartbeat. */
const sinkSets = new WeakMap<Bus, SinkSet>();

/** Each hub's subscription to session revocations (see `announceEndedSessions`), active before streams open. */
const revocations = new WeakMap<StreamHub, Promise<unknown>>();

/**
 * The process's stream hub, created on first use. Pass `options` (e.g. a short heartbeat in tests) before
 * the first stream opens; passing them to an existing hub is an error rather than silently ignored.
 */
export function streamHub(deps: StreamDeps, options?: StreamHubOptions): StreamHub {
  let hub = hubs.get(deps.bus);
  if (hub && options) throw new Error("The stream hub of this bus already exists; configure it first.");
  if (!hub) {
    const sql = deps.db.sql;
    const sinks = new SinkSet({ ...options, checkSessions: (sessions) => endedSessions(sql, sessions) });
    hub = new StreamHub(deps.bus, (id, after, limit) => readChanges(sql, id, after, limit), {
      ...options,
      sinks,
    });
    hubs.set(deps.bus, hub);
    sinkSets.set(deps.bus, sinks);
  }
  return hub;
}

/** Open streams of this bus's process: account streams, and every kind together (metrics; creates nothing). */
export function openStreamCounts(bus: Bus): { account: number; all: number } {
  return { account: hubs.get(bus)?.stats.streams ?? 0, all: sinkSets.get(bus)?.size ?? 0 };
}

/**
 * The process's open streams (caps, sessions, heartbeat), shared by every kind of stream, once revocations
 * announced on the bus end them (see `announceEndedSessions`).
 */
export async function processStreams(deps: StreamDeps): Promise<SinkSet> {
  await watchRevocations(deps.bus, streamHub(deps));
  return sinkSets.get(deps.bus)!;
}

/** The logged changes of an account after version `after`, oldest first, encoded as `change` frames. */
export async function readChanges(
  sql: Sql,
  accountId: string,
  after: number,
  limit: number,
): Promise<Frame[]> {
  const logged = await changesAfter(sql, accountId, after, limit);
  return logged.map((c) =>
    changeFrame(
      c.stateVersion,
      (c.payload as { previousVersion?: unknown } | null)?.previousVersion,
      c.payload,
    )
  );
}

/**
 * Parses a `Last-Event-ID` (our ids are state versions: non-negative int4); anything else reads as
 * "no id", which gets a snapshot.
 */
export function parseEventId(value: string | null | undefined): number | null {
  if (!value || !/^\d{1,10}$/.test(value.trim())) return null;
  const id = Number(value.trim());
  return id <= 2 ** 31 - 1 ? id : null;
}

export interface OpenStreamInput {
  accountId: string;
  /** Whose stream: it ends with this session, and counts against the user's and the address's caps. */
  owner: StreamOwner;
  /** The account's version when access was checked (a lower bound of its version now). */
  currentVersion: number;
  lastEventId: number | null;
}

/**
 * Opens the event stream of an account the caller may read (check access first). Resolves once the first
 * frames are queued, so a failing database or bus surfaces as an error response rather than an empty
 * stream; the stream leaves the hub when the client disconnects (its body is cancelled).
 */
export async function openAccountStream(
  deps: StreamDeps,
  input: OpenStreamInput,
): Promise<ReadableStream<Uint8Array>> {
  const hub = streamHub(deps);
  await watchRevocations(deps.bus, hub);
  let out!: ReadableStreamDefaultController<Uint8Array>;
  // Only `out`, `sub` and `hub` are captured by the callbacks: nothing of the request stays referenced.
  // (cancel() cannot run before `sub` exists: nobody can read the body before it is returned.)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
    },
    cancel() {
      void hub.leave(sub);
    },
  });
  out.enqueue(RETRY);
  // Subscribe before reading anything, so a change committed during the reads below arrives as a live
  // frame (held back until the reads are sent) rather than falling between the two.
  const sub = await hub.join(input.accountId, out, input.owner);
  try {
    const { lastEventId, currentVersion } = input;
    if (
      lastEventId !== null && lastEventId <= currentVersion &&
      currentVersion - lastEventId <= MAX_REPLAY_VERSIONS
    ) {
      await hub.start(sub, lastEventId, true);
    } else {
      const view = await loadSnapshot(deps.db.sql, input.accountId, currentVersion);
      out.enqueue(encodeEvent("snapshot", view.account.stateVersion, JSON.stringify(view)));
      await hub.start(sub, view.account.stateVersion, false);
    }
  } catch (error) {
    await hub.leave(sub);
    throw error;
  }
  return body;
}

/**
 * Subscribes the hub to announced revocations, once, and waits until that is active; a failed SUBSCRIBE is
 * forgotten so the next stream tries again.
 */
async function watchRevocations(bus: Bus, hub: StreamHub): Promise<void> {
  let watching = revocations.get(hub);
  if (!watching) {
    watching = bus.subscribe(ENDED_SESSIONS_CHANNEL, (m) => hub.endSessions(announcedSessionIds(m)));
    revocations.set(hub, watching);
    watching.catch(() => revocations.delete(hub));
  }
  await watching;
}

/**
 * The account view with objectives and summary from the same state. `loadAccountView` reads the engine
 * state, then the summary: if the version did not move from `before` (read earlier) to the summary, no
 * change committed in between, so both parts agree; otherwise read again. No transaction on purpose: a
 * BEGIN per stream is what opening thousands of streams at once must not cost (and postgres.js 3.4.9, the
 * driver until session 11, could crash in `begin()` when its connection was saturated).
 */
async function loadSnapshot(sql: postgres.Sql, accountId: string, before: number): Promise<AccountView> {
  for (let attempt = 0;; attempt++) {
    const view = await loadAccountView(sql, accountId);
    if (!view) throw new NotFound("No such account.");
    if (view.account.stateVersion === before || attempt === 3) return view;
    const [row] = await sql<{ v: number }[]>`select state_version as v from accounts where id = ${accountId}`;
    before = row?.v ?? before;
  }
}
