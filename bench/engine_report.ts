/**
 * The engine benchmark's output (bench/engine.ts): one line per figure as it is measured, then a summary
 * table of them all at the end, so a long run can be read as it goes and compared at a glance once done.
 */
import { cpuText, type CpuUsage } from "./engine_cpu.ts";
import type { RunStats } from "./engine_load.ts";
import { percentile } from "./stats.ts";
import type { Anchor } from "./engine_anchor.ts";

/** One sync-throughput figure. */
export interface ThroughputRow {
  path: "in-process" | "HTTP" | "floor";
  batch: number;
  concurrency: number;
  stats: RunStats;
  cpu: CpuUsage | null;
  /** Statements sent per batch (in-process only: the app's are not visible from here). */
  statements?: number | null;
  /**
   * The sync path's group writes during the figure (services/accounts/sync_group.ts): mean batches per
   * statement, and the share of the time a group write was in flight (near 1: the one write path is the bound).
   */
  groups?: { size: number; busy: number } | null;
}

/** One sync → SSE latency figure, under one background load. */
export interface LatencyRow {
  /** Background load in events/s; 0 = closed loop. */
  rate: number;
  batch: number;
  subscribers: number;
  load: RunStats;
  /** Sync POST start → SSE change frame, ms, sorted. */
  latencies: number[];
  probes: number;
  missing: number;
  dropped: number;
  cpu: CpuUsage | null;
}

const ms = (v: number) => (Number.isNaN(v) ? "—" : v < 10 ? v.toFixed(2) : v.toFixed(1));
const errorCount = (errors: Map<string, number>) => [...errors.values()].reduce((a, b) => a + b, 0);
const errorsText = (errors: Map<string, number>) => [...errors].map(([k, n]) => `${n}× ${k}`).join("; ");

/** Collects the figures of one run: prints each as it is added, and all of them in `printSummary`. */
export class EngineReport {
  readonly throughput: ThroughputRow[] = [];
  readonly latency: LatencyRow[] = [];
  readonly notes: string[] = [];
  /** `pgbench -N` on the same server in this run (null: not measured). */
  anchor: Anchor | null = null;

  /** Records and prints the anchor. */
  setAnchor(anchor: Anchor): void {
    this.anchor = anchor;
    console.log(
      `  pgbench -N -c ${anchor.clients}, ${anchor.seconds} s: ${anchor.tps.toFixed(0)} tps; server CPU ${
        anchor.pgCores === null
          ? "n/a"
          : `${anchor.pgCores.toFixed(2)} cores, ${anchor.pgMsPerTx!.toFixed(3)} ms/tx`
      }`,
    );
  }

  /** A throughput row against the anchor: batches/s and events/s as shares of pgbench tps, DB ms per batch. */
  private versus(row: ThroughputRow): string {
    const batches = row.stats.batches / row.stats.seconds;
    const dbMs = row.cpu?.postgres == null || batches === 0 ? null : (row.cpu.postgres * 1000) / batches;
    const own = row.cpu?.postgresBackends == null || batches === 0
      ? null
      : (row.cpu.postgresBackends * 1000) / batches;
    const parts = [
      `DB CPU ${dbMs === null ? "n/a" : `${dbMs.toFixed(3)} ms`}/batch` +
      (own === null ? "" : ` (its backends alone ${own.toFixed(3)} ms)`),
    ];
    if (row.statements != null) parts.push(`${row.statements.toFixed(2)} statements/batch`);
    if (row.groups) {
      parts.push(
        `group writes ${row.groups.size.toFixed(1)} batches each, in flight ${
          (row.groups.busy * 100).toFixed(0)
        }% of the time`,
      );
    }
    // The CPU the benchmark's own processes (client, app, PostgreSQL, Redis) spend per batch bounds batches/s
    // at the machine's cores over it, however the work is scheduled.
    const spent = row.cpu && batches > 0 ? (row.cpu.machine - row.cpu.other) / batches : null;
    const ceiling = spent ? (navigator.hardwareConcurrency || 1) / spent : null;
    if (spent && ceiling) {
      parts.push(
        `all CPU ${(spent * 1000).toFixed(2)} ms/batch (at every core busy: ${ceiling.toFixed(0)} batches/s)`,
      );
    }
    const a = this.anchor;
    if (a) {
      parts.push(`batches/s ÷ pgbench tps ${(batches / a.tps).toFixed(2)}`);
      if (ceiling) parts.push(`CPU ceiling ÷ pgbench tps ${(ceiling / a.tps).toFixed(2)}`);
      parts.push(`events/s ÷ pgbench tps ${(row.stats.events / row.stats.seconds / a.tps).toFixed(2)}`);
      if (dbMs !== null && a.pgMsPerTx) {
        parts.push(`DB CPU/batch ÷ pgbench's/tx ${(dbMs / a.pgMsPerTx).toFixed(2)}`);
      }
    }
    return parts.join("; ");
  }

  /** Records and prints one throughput figure. */
  addThroughput(row: ThroughputRow): void {
    this.throughput.push(row);
    const { stats: s } = row;
    const errors = errorCount(s.errors);
    console.log(
      `  ${row.path.padEnd(10)} batch ${String(row.batch).padStart(3)} × ${
        String(row.concurrency).padStart(3)
      } ` +
        `workers: ${(s.events / s.seconds).toFixed(0).padStart(6)} events/s, ${
          (s.batches / s.seconds).toFixed(0).padStart(5)
        } batches/s, ` +
        `per batch p50 ${ms(percentile(s.latencies, 50))} ms p99 ${ms(percentile(s.latencies, 99))} ms max ${
          ms(s.latencies.at(-1) ?? NaN)
        } ms; ` +
        `${s.breaches} breach(es); ${errors} error(s); CPU (cores) ${cpuText(row.cpu)}`,
    );
    console.log(`    ${this.versus(row)}`);
    if (errors) console.log(`    errors: ${errorsText(s.errors)}`);
  }

  /** Records and prints one latency figure. */
  addLatency(row: LatencyRow): void {
    this.latency.push(row);
    const { load } = row;
    const errors = errorCount(load.errors);
    console.log(
      `  load ${
        row.rate ? `paced at ${row.rate} events/s` : "closed loop (saturating)"
      }, batch ${row.batch}: ` +
        `achieved ${(load.events / load.seconds).toFixed(0)} events/s (POST p50 ${
          ms(percentile(load.latencies, 50))
        } ms ` +
        `p99 ${ms(percentile(load.latencies, 99))} ms, ${errors} error(s)); sync→SSE over ${row.probes} ` +
        `probes: p50 ${ms(percentile(row.latencies, 50))} ms, p99 ${ms(percentile(row.latencies, 99))} ms, ` +
        `max ${ms(row.latencies.at(-1) ?? NaN)} ms` +
        `${row.missing ? `; ${row.missing} frame(s) MISSING` : ""}${
          row.dropped ? `; ${row.dropped} stream(s) dropped` : ""
        }; CPU (cores) ${cpuText(row.cpu)}`,
    );
    if (errors) console.log(`    errors: ${errorsText(load.errors)}`);
  }

  /** Records a remark for the end of the summary (something that went wrong but did not stop the run). */
  note(text: string): void {
    this.notes.push(text);
  }

  /** Prints every figure as tables under the run's `context` lines (database, bus, machine...). */
  printSummary(context: string[]): void {
    const line = "─".repeat(118);
    console.log(`\n${line}\nENGINE BENCHMARK SUMMARY\n${context.map((c) => `  ${c}`).join("\n")}\n${line}`);
    if (this.throughput.length) {
      console.log(
        "Sync throughput (target ≥ 10,000 events/s evaluated + persisted + published)\n" +
          "  path        batch  workers   events/s  batches/s  p50 ms  p99 ms  errors  CPU cores bench/app/pg/redis/other/all",
      );
      const f = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(2));
      for (const r of this.throughput) {
        const s = r.stats;
        const c = r.cpu;
        console.log(
          `  ${r.path.padEnd(10)} ${String(r.batch).padStart(6)} ${String(r.concurrency).padStart(8)} ${
            (s.events / s.seconds).toFixed(0).padStart(10)
          } ${(s.batches / s.seconds).toFixed(0).padStart(10)} ${
            ms(percentile(s.latencies, 50)).padStart(7)
          } ${ms(percentile(s.latencies, 99)).padStart(7)} ${String(errorCount(s.errors)).padStart(7)}  ${
            c
              ? `${f(c.bench)}/${f(c.app)}/${f(c.postgres)}/${f(c.redis)}/${f(c.other)}/${f(c.machine)}`
              : "n/a"
          }`,
        );
      }
    }
    if (this.throughput.length) {
      const a = this.anchor;
      console.log(
        `\nAgainst the anchor (target: batch-10 batches/s ≥ 0.60 × pgbench -N tps): ${
          a
            ? `pgbench -N -c ${a.clients} ${a.tps.toFixed(0)} tps, server ${
              a.pgMsPerTx === null ? "n/a" : `${a.pgMsPerTx.toFixed(3)} ms CPU/tx`
            }`
            : "pgbench not run"
        }`,
      );
      for (const r of this.throughput) {
        console.log(`  ${r.path.padEnd(10)} batch ${String(r.batch).padStart(3)}: ${this.versus(r)}`);
      }
    }
    if (this.latency.length) {
      console.log(
        "\nSync POST start → SSE change frame at a subscriber (target p99 ≤ 50 ms)\n" +
          "  background load            batch  streams  achieved ev/s  probes  p50 ms  p99 ms  max ms  missing  other CPU",
      );
      for (const r of this.latency) {
        const label = r.rate ? `paced ${r.rate} ev/s` : "closed loop (saturating)";
        console.log(
          `  ${label.padEnd(26)} ${String(r.batch).padStart(5)} ${String(r.subscribers).padStart(8)} ${
            (r.load.events / r.load.seconds).toFixed(0).padStart(14)
          } ${String(r.probes).padStart(7)} ${ms(percentile(r.latencies, 50)).padStart(7)} ${
            ms(percentile(r.latencies, 99)).padStart(7)
          } ${ms(r.latencies.at(-1) ?? NaN).padStart(7)} ${String(r.missing).padStart(8)} ${
            (r.cpu ? r.cpu.other.toFixed(2) : "n/a").padStart(10)
          }`,
        );
      }
    }
    for (const note of this.notes) console.log(`note: ${note}`);
    console.log(line);
  }
}
