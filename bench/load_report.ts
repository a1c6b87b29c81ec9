/**
 * The load bench's checks against the database and its printed figures (bench/load.ts). Latency percentiles
 * are over steady running: requests started inside a fault window (or within 5 s after it) are counted
 * under that fault instead, so each fault has its own figure and the steady figures stay comparable with the
 * anchor's.
 */
import postgres from "postgres";
import { percentile } from "./stats.ts";
import type { Kind, Recorder, Sample, SentBatch } from "./load_traffic.ts";
import { missingVersions, type ResumingStream } from "./load_sse.ts";

export interface FaultWindow {
  name: string;
  start: number;
  end: number;
  notes: string[];
}

export interface DatabaseCheck {
  ackedEvents: number;
  lostAcked: number;
  halfWritten: number;
  missingFrames: number;
  streamsWithGaps: number;
}

/** Acknowledged ids vs account_events; each batch all-or-nothing; each stream vs account_changes. */
export async function checkDatabase(
  url: string,
  batches: SentBatch[],
  streams: ResumingStream[],
): Promise<DatabaseCheck> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    const accounts = [
      ...new Set(batches.map((b) => b.accountId).concat(streams.map((s) => s.target.accountId))),
    ];
    const rows = await sql<{ event_id: string }[]>`
      select event_id from account_events where account_id = any(${accounts}::uuid[])`;
    const stored = new Set(rows.map((r) => r.event_id));
    let ackedEvents = 0, lostAcked = 0, halfWritten = 0;
    const acked = new Set<string>();
    for (const b of batches) {
      const present = b.ids.filter((id) => stored.has(id)).length;
      if (present !== 0 && present !== b.ids.length) halfWritten++;
      if (b.acked) { for (const id of b.ids) acked.add(id); }
    }
    for (const id of acked) {
      ackedEvents++;
      if (!stored.has(id)) lostAcked++;
    }
    const changes = await sql<{ account_id: string; state_version: number }[]>`
      select account_id, state_version from account_changes
      where account_id = any(${streams.map((s) => s.target.accountId)}::uuid[]) order by state_version`;
    const logged = new Map<string, number[]>();
    for (const c of changes) logged.set(c.account_id, [...(logged.get(c.account_id) ?? []), c.state_version]);
    let missingFrames = 0, streamsWithGaps = 0;
    for (const s of streams) {
      const missing = missingVersions(s, logged.get(s.target.accountId) ?? []);
      missingFrames += missing.length;
      if (missing.length) streamsWithGaps++;
    }
    return { ackedEvents, lostAcked, halfWritten, missingFrames, streamsWithGaps };
  } finally {
    await sql.end();
  }
}

const KINDS: Exclude<Kind, "anchor">[] = ["public", "dashboard", "api", "ingest"];
const ok = (s: Sample) => s.status >= 200 && s.status < 400;
const f1 = (x: number) => Number.isFinite(x) ? x.toFixed(1) : "n/a";
const f2 = (x: number) => Number.isFinite(x) ? x.toFixed(2) : "n/a";

export function printReport(r: {
  seconds: number;
  /** preciseNow() when the mixed run began. */
  started: number;
  anchorSeconds: number;
  /** req/s of the half before and the half after the mixed run. */
  anchorHalves: [number, number];
  rec: Recorder;
  anchorRec: Recorder;
  faults: FaultWindow[];
  ingest: SentBatch[];
  arrivals: Map<string, number[]>;
  streams: ResumingStream[];
  db: DatabaseCheck;
  processes: number;
  loops: Record<string, number>;
}): void {
  // The latest fault whose window (plus 5 s of aftermath) overlaps the request (in flight at any moment of it).
  const windowOf = (at: number, ms = 0) =>
    r.faults.findLast((w) => at <= w.end + 5000 && at + ms >= w.start)?.name ?? null;
  const steady = r.rec.samples.filter((s) => windowOf(s.at, s.ms) === null);
  const anchor = r.anchorRec.samples;
  const anchorMs = anchor.filter(ok).map((s) => s.ms).sort((a, b) => a - b);
  const anchorRps = anchor.length / r.anchorSeconds;
  const a50 = percentile(anchorMs, 50), a99 = percentile(anchorMs, 99);
  const totalRps = r.rec.samples.length / r.seconds;
  console.log(
    `\n=== load: ${r.processes} app processes behind nginx, ${f1(r.seconds)} s, loops ${
      JSON.stringify(r.loops)
    }, ` +
      `${r.streams.length} event streams`,
  );
  console.log(
    `anchor (bare Deno.serve, the bytes of /, same nginx, same ${
      Object.values(r.loops).reduce((a, b) => a + b)
    } loops, ` +
      `${r.anchorSeconds} s, half before and half after): ${f1(anchorRps)} req/s (${
        r.anchorHalves.map(f1).join(" then ")
      }), p50 ${f2(a50)} ms, p99 ${f2(a99)} ms, errors ${anchor.filter((s) => !ok(s)).length}`,
  );
  console.log(
    `all kinds: ${f1(totalRps)} req/s = ${f2(totalRps / anchorRps)}× the anchor's req/s`,
  );
  console.log("kind        req/s   ×anchor   p50 ms  ×anchor   p99 ms  ×anchor   steady errors");
  for (const kind of KINDS) {
    const all = r.rec.samples.filter((s) => s.kind === kind);
    const ms = steady.filter((s) => s.kind === kind && ok(s)).map((s) => s.ms).sort((a, b) => a - b);
    const rps = all.length / r.seconds;
    const p50 = percentile(ms, 50), p99 = percentile(ms, 99);
    const errors = steady.filter((s) => s.kind === kind && !ok(s));
    console.log(
      `${kind.padEnd(10)} ${f1(rps).padStart(7)} ${f2(rps / anchorRps).padStart(8)}× ${f2(p50).padStart(8)} ${
        f1(p50 / a50).padStart(7)
      }× ${f2(p99).padStart(8)} ${f1(p99 / a99).padStart(7)}×   ${errors.length}${
        errors.length ? ` (${statusCounts(errors)})` : ""
      }`,
    );
  }
  // Sync → SSE: from sending a batch to its change frame at each subscriber of the account.
  const delivery: number[] = [];
  for (const b of r.ingest) {
    if (!b.acked || b.version === null || windowOf(b.sentAt) !== null) continue;
    for (const at of r.arrivals.get(`${b.accountId}:${b.version}`) ?? []) delivery.push(at - b.sentAt);
  }
  delivery.sort((a, b) => a - b);
  const d99 = percentile(delivery, 99);
  console.log(
    `SSE delivery (demo-sync sent → change frame at each of the account's streams, steady): ${delivery.length} frames, ` +
      `p50 ${f2(percentile(delivery, 50))} ms, p99 ${f2(d99)} ms (${
        f1(d99 / a99)
      }× the anchor's request p99)`,
  );
  const reconnects = r.streams.reduce((n, s) => n + s.reconnects, 0);
  const resnaps = r.streams.reduce((n, s) => n + s.resnapshots.length, 0);
  console.log(
    `streams: ${reconnects} reconnects with Last-Event-ID, ${resnaps} re-snapshots, ` +
      `${r.db.missingFrames} logged changes missed (${r.db.streamsWithGaps} streams with a gap)`,
  );
  console.log(
    `demo-sync: ${r.db.ackedEvents} events acknowledged, ${r.db.lostAcked} of them missing from the database; ` +
      `${r.db.halfWritten} half-written batches of ${r.ingest.length} sent`,
  );
  for (const w of r.faults) {
    const inside = r.rec.samples.filter((s) => windowOf(s.at, s.ms) === w.name);
    const perKind = KINDS.map((k) => {
      const bad = inside.filter((s) => s.kind === k && !ok(s));
      return `${k} ${bad.length}/${inside.filter((s) => s.kind === k).length}${
        bad.length ? ` (${statusCounts(bad)})` : ""
      }`;
    }).join(", ");
    const drops = r.streams.reduce((n, s) => n + s.drops.filter((at) => windowOf(at) === w.name).length, 0);
    console.log(
      `fault ${w.name} (${
        f1((w.end - w.start) / 1000)
      } s + 5 s): errors ${perKind}; ${drops} streams dropped ` +
        `and resumed with Last-Event-ID`,
    );
    for (const note of w.notes) console.log(`  ${note}`);
  }
  const steadyErrors = steady.filter((s) => !ok(s));
  if (steadyErrors.length) {
    const when = steadyErrors.slice(0, 10).map((s) =>
      `${s.kind} ${s.status} at +${f1((s.at - r.started) / 1000)} s`
    );
    console.log(
      `steady errors: ${when.join(", ")}; faults at ${
        r.faults.map((w) =>
          `${w.name} +${f1((w.start - r.started) / 1000)}…+${f1((w.end - r.started) / 1000)} s`
        ).join(", ")
      }`,
    );
  }
  const verdict = r.db.lostAcked === 0 && r.db.halfWritten === 0 && r.db.missingFrames === 0 &&
    steady.filter((s) => !ok(s)).length === 0;
  console.log(
    verdict ? "checks: 0 lost, 0 half-written, 0 gaps, 0 steady errors" : "checks: FAILED (see above)",
  );
}

function statusCounts(samples: Sample[]): string {
  const m = new Map<number, number>();
  for (const s of samples) m.set(s.status, (m.get(s.status) ?? 0) + 1);
  return [...m].map(([s, n]) => `${s === 0 ? "conn" : s}×${n}`).join(" ");
}
