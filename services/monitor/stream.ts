/**
 * The risk monitor's live stream, as Server-Sent Events (served by `GET /api/admin/monitor/stream`).
 *
 * Protocol:
 * - `retry: 3000`, then `event: snapshot` (data `MonitorSnapshot`: every active and paused account as a
 *   packed row, and the latest feed entries: breaches, pauses, staff actions) — or, when the client resumes
 *   (`Last-Event-ID` / `?lastEventId=`) within the same run of the process's hub, `event: rows` with every
 *   row changed since;
 * - `event: rows` (data `MonitorUpdate`: the changed rows' figures, rows that appeared, new feed entries),
 *   at most one per `flushMs`, whatever the number of changes;
 * - `: hb` comments while nothing happens. It ends when its session ends.
 * One hub per process serves every monitor (services/monitor/hub.ts).
 */
import type { Bus } from "../bus/mod.ts";
import type { Db } from "../../db/client.ts";
import { processStreams, RETRY_MS } from "../accounts/stream.ts";
import type { StreamOwner } from "../accounts/stream_guard.ts";
import { MonitorHub, type MonitorHubOptions, type MonitorSource, type MonitorSubscriber } from "./hub.ts";
import { latestFeed, liveVersions, loadMonitorEntries, staffActions } from "./queries.ts";
import { countStreams } from "../metrics/streams.ts";

type Deps = { db: Db; bus: Bus };

const hubs = new WeakMap<Bus, MonitorHub>();
const RETRY = new TextEncoder().encode(`retry: ${RETRY_MS}\n\n`);

// `proptrade_sse_streams{kind="monitor"}`: the staff monitors open in this process.
countStreams("monitor", (bus) => hubs.get(bus)?.stats.streams ?? 0);

/** The process's monitor hub, created on first use (`options` only take effect then). */
export async function monitorHub(deps: Deps, options?: MonitorHubOptions): Promise<MonitorHub> {
  const sinks = await processStreams(deps);
  let hub = hubs.get(deps.bus);
  if (!hub) {
    hub = new MonitorHub(deps.bus, sqlMonitorSource(deps.db), sinks, options);
    hubs.set(deps.bus, hub);
  }
  return hub;
}

export function sqlMonitorSource(db: Db): MonitorSource {
  return {
    entries: (ids) => loadMonitorEntries(db.sql, { ids }),
    feed: (limit) => latestFeed(db.sql, limit),
    staffActions: (changes) => staffActions(db.sql, { changes }),
    versions: () => liveVersions(db.sql),
  };
}

/**
 * Opens a monitor stream for staff allowed to read every account (the route checks). Resolves once its
 * first event is queued; leaves the hub when the client disconnects.
 */
export async function openMonitorStream(
  deps: Deps,
  input: { owner: StreamOwner; lastEventId: string | null },
): Promise<ReadableStream<Uint8Array>> {
  const hub = await monitorHub(deps);
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const held: { sub?: MonitorSubscriber; cancelled?: boolean } = {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
    },
    cancel() {
      held.cancelled = true;
      if (held.sub) void hub.leave(held.sub);
    },
  });
  out.enqueue(RETRY);
  const sub = held.sub = await hub.join(out, input.owner, input.lastEventId);
  if (held.cancelled) await hub.leave(sub);
  return body;
}
