/**
 * The sync → SSE latency probes of the engine benchmark (bench/engine.ts).
 *
 * The first `subscribers` accounts each hold one `GET /api/accounts/:id/stream`, read in a worker thread
 * (bench/engine_sse_worker.ts) so the load generator's event loop cannot delay the moment a frame is seen.
 * While background sync load runs over all accounts, every batch sent to a subscribed account is a probe:
 * from the start of its POST to the arrival of the `change` frame with the version the response reported.
 */
import type { EngineServer } from "./engine_server.ts";
import { type CpuScope, cpuSnapshot, cpuUsage } from "./engine_cpu.ts";
import { type Outcome, runLoad, type RunSpec, type Sender, sleep } from "./engine_load.ts";
import type { EngineReport } from "./engine_report.ts";
import type { AccountSim } from "./engine_traders.ts";

/** The app's answer to the `setup` command (bench/engine_server.ts). */
export interface AppSetup {
  accountIds: string[];
  /** Bearer tokens of the first owners, in account order (none with `--staff`). */
  tokens: string[];
  /** A support user's bearer token (with `--staff`). */
  staffToken: string | null;
}

/** The latency phase's settings (from the benchmark's flags) and what it reports to. */
export interface LatencyOptions {
  subscribers: number;
  /** Subscribe as a support user instead of each account's owner. */
  staff: boolean;
  /** Background loads in events/s, one figure each; 0 = closed loop. */
  rates: number[];
  batch: number;
  concurrency: number;
  seconds: number;
  warmup: number;
  cpu: CpuScope;
  report: EngineReport;
}

/**
 * Opens the streams, then measures one latency figure per background rate into `opts.report`.
 * `sims` are the traders of `setup.accountIds`, in the same order; `send` carries their batches to `server`.
 */
export async function latencyPhase(
  server: EngineServer,
  sims: AccountSim[],
  send: Sender,
  setup: AppSetup,
  opts: LatencyOptions,
): Promise<void> {
  const { subscribers, staff, report } = opts;
  const worker = new Worker(new URL("./engine_sse_worker.ts", import.meta.url), { type: "module" });
  const ask = <T>(message: Record<string, unknown>, reply: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (e: MessageEvent) => {
        if (e.data?.type !== reply) return;
        worker.removeEventListener("message", onMessage);
        resolve(e.data as T);
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", (e) => reject(e.error ?? new Error(e.message)), { once: true });
      worker.postMessage(message);
    });
  try {
    const base = Math.floor(Math.random() * 2 ** 16);
    const streams = setup.accountIds.slice(0, subscribers).map((id, i) => ({
      path: `/api/accounts/${id}/stream`,
      token: staff ? setup.staffToken! : setup.tokens[i],
      ip: `172.16.${(base + i) >> 8 & 255}.${(base + i) & 255}`,
    }));
    const t0 = performance.now();
    const opened = await ask<{ ok: number; errors: string[] }>(
      { type: "open", port: server.port, streams, parallel: 50 },
      "opened",
    );
    console.log(
      `\n[SSE] ${opened.ok}/${subscribers} streams open as ${staff ? "a support user" : "their owners"} in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s; app hub ${
        JSON.stringify(await server.command({ cmd: "stats" }).then((s) => s.streams))
      } stream(s)`,
    );
    if (opened.errors.length) {
      console.log(`  ${opened.errors.length} stream(s) failed, e.g. ${opened.errors[0]}`);
      report.note(`${opened.errors.length} SSE stream(s) failed to open: ${opened.errors[0]}`);
    }
    const { batch, concurrency, seconds } = opts;
    for (const eventsPerSecond of opts.rates) {
      const rate = eventsPerSecond / batch;
      const probes: number[] = []; // [stream index, version, startedAt] triples
      const onDone = (sim: AccountSim, startedAt: number, outcome: Outcome) => {
        if (outcome.ok && sim.index < subscribers) probes.push(sim.index, outcome.version, startedAt);
      };
      const spec: RunSpec = { sims, batch, concurrency, seconds, rate, send, onDone };
      if (opts.warmup > 0) await runLoad({ ...spec, seconds: opts.warmup, onDone: undefined });
      await sleep(200);
      await ask({ type: "collect" }, "arrivals"); // discard the warm-up's frames
      const before = cpuSnapshot();
      const load = await runLoad(spec);
      const after = cpuSnapshot();
      const cpu = await cpuUsage(opts.cpu, before, after, server.pid);
      await sleep(1000); // stragglers
      const { data, dropped } = await ask<{ data: number[]; dropped: number }>(
        { type: "collect" },
        "arrivals",
      );
      const { latencies, missing } = matchProbes(probes, data);
      report.addLatency({
        rate: eventsPerSecond,
        batch,
        subscribers: opened.ok,
        load,
        latencies,
        probes: probes.length / 3,
        missing,
        dropped,
        cpu,
      });
    }
  } finally {
    await ask({ type: "close" }, "closed").catch(() => {});
    worker.terminate();
  }
}

/**
 * Pairs each probe (flat [stream, version, sent at] triples) with the first arrival of that version on that
 * stream (flat [stream, version, arrived at] triples, from the worker): the latencies (ms, sorted) of those
 * that arrived, and how many never did.
 */
export function matchProbes(
  probes: number[],
  arrivalData: number[],
): { latencies: number[]; missing: number } {
  const arrivals = new Map<number, Map<number, number>>();
  for (let i = 0; i < arrivalData.length; i += 3) {
    let byVersion = arrivals.get(arrivalData[i]);
    if (!byVersion) arrivals.set(arrivalData[i], byVersion = new Map());
    if (!byVersion.has(arrivalData[i + 1])) byVersion.set(arrivalData[i + 1], arrivalData[i + 2]);
  }
  const latencies: number[] = [];
  let missing = 0;
  for (let i = 0; i < probes.length; i += 3) {
    const at = arrivals.get(probes[i])?.get(probes[i + 1]);
    if (at === undefined) missing++;
    else latencies.push(at - probes[i + 2]);
  }
  latencies.sort((a, b) => a - b);
  return { latencies, missing };
}
