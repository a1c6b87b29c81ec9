import { useEffect, useMemo, useState } from "preact/hooks";
import { LiveMarker, type LiveState, useNow } from "../components/live.tsx";
import {
  applyDelta,
  compareRows,
  type FeedItem,
  matches,
  type MonitorFilter,
  type MonitorRow,
  type MonitorSnapshot,
  type MonitorUpdate,
  unpackRow,
} from "../services/monitor/row.ts";
import { MonitorFeed, MonitorTable } from "../routes/admin/(_components)/monitor_table.tsx";

const FEED_SIZE = 20;

/**
 * The risk monitor, live: one EventSource on `GET /api/admin/monitor/stream` for the whole table. The
 * server's render is the filtered, sorted first rows; the stream's snapshot brings every monitored account,
 * each `rows` event patches the rows it names, and the island filters and re-sorts on the client (the
 * server sends compact deltas, never a sorted list). The EventSource resumes with `Last-Event-ID` itself.
 */
export default function RiskMonitor(props: {
  rows: MonitorRow[];
  feed: FeedItem[];
  filter: MonitorFilter;
  limit: number;
  total: number;
  timeZone: string;
}) {
  const [rows, setRows] = useState(() => new Map(props.rows.map((r) => [r.id, r])));
  const [feed, setFeed] = useState(props.feed);
  const [state, setState] = useState<LiveState>("connecting");
  const [freshAt, setFreshAt] = useState<number | null>(null);
  const [all, setAll] = useState(false);
  const now = useNow();

  useEffect(() => {
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      const source = es = new EventSource("/api/admin/monitor/stream");
      source.addEventListener("snapshot", (e) => {
        const snap = JSON.parse((e as MessageEvent<string>).data) as MonitorSnapshot;
        setRows(new Map(snap.rows.map((p) => [p[0], unpackRow(p)])));
        setFeed(snap.feed);
        setAll(true);
        fresh();
      });
      source.addEventListener("rows", (e) => {
        const u = JSON.parse((e as MessageEvent<string>).data) as MonitorUpdate;
        setRows((prev) => {
          const next = new Map(prev);
          for (const p of u.added) {
            const row = unpackRow(p);
            const old = next.get(row.id);
            if (!old || old.version <= row.version) next.set(row.id, row);
          }
          for (const d of u.rows) {
            const old = next.get(d[0]);
            if (old) next.set(d[0], applyDelta(old, d));
          }
          return next;
        });
        if (u.feed.length > 0) setFeed((f) => [...[...u.feed].reverse(), ...f].slice(0, FEED_SIZE));
        fresh();
      });
      source.onopen = () => setState("live");
      source.onerror = () => {
        setState("reconnecting");
        if (source.readyState !== EventSource.CLOSED) return;
        // The browser gave up (a refused reconnect, e.g. the session ended): try again later.
        retry = setTimeout(open, 5000);
      };
    };
    const fresh = () => {
      setState("live");
      setFreshAt(Date.now());
    };
    open();
    return () => {
      clearTimeout(retry);
      es?.close();
    };
  }, []);

  const visible = useMemo(
    () => [...rows.values()].filter((r) => matches(r, props.filter)).sort(compareRows),
    [rows, props.filter],
  );
  const total = all ? visible.length : props.total;
  return (
    <div class="grid gap-6">
      <div class="min-w-0">
        <p class="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm text-muted">
          <span data-count>
            {total} {total === 1 ? "account" : "accounts"}
            {total > props.limit && ` · the ${props.limit} closest to a floor shown`}
          </span>
          <LiveMarker state={state} updatedAt={freshAt} now={now} />
        </p>
        {visible.length === 0
          ? <p class="card p-6 text-sm text-muted">No active or paused account matches these filters.</p>
          : <MonitorTable rows={visible.slice(0, props.limit)} timeZone={props.timeZone} />}
      </div>
      <MonitorFeed items={feed} timeZone={props.timeZone} />
    </div>
  );
}
