/**
 * Load generation for the engine benchmark (bench/engine.ts): `runLoad` drives batches of the simulated
 * traders' events through a `Sender` — `applySync` in this process, or signed `POST /api/trading/demo-sync`
 * requests to the app process — closed-loop or paced, and times each batch.
 */
import type { Db } from "../db/client.ts";
import type { Bus } from "../services/bus/mod.ts";
import { applySync } from "../services/accounts/sync.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";
import { preciseNow } from "../tests/helpers/child_server.ts";
import type { AccountSim } from "./engine_traders.ts";

/** What became of one batch, whichever path carried it. */
export interface Outcome {
  ok: boolean;
  status: number;
  /** The account's state version after the batch (the SSE frame id). */
  version: number;
  breaches: number;
  error?: string;
}

/** Delivers one account's batch to the engine and reports the outcome. */
export type Sender = (sim: AccountSim, events: SyncEvent[]) => Promise<Outcome>;

/** One measurement: which accounts, how the load is shaped, and where it goes. */
export interface RunSpec {
  sims: AccountSim[];
  batch: number;
  concurrency: number;
  seconds: number;
  /** Batches per second to pace at; 0 = closed loop (each worker sends as soon as its last answer came). */
  rate: number;
  send: Sender;
  /** Called after every batch with its start (epoch ms, sub-ms precision). */
  onDone?: (sim: AccountSim, startedAt: number, outcome: Outcome) => void;
}

/** The figures of one `runLoad`. */
export interface RunStats {
  events: number;
  batches: number;
  seconds: number;
  /** Per successful batch, ms, sorted. */
  latencies: number[];
  errors: Map<string, number>;
  breaches: number;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `spec.concurrency` workers sending batches until `spec.seconds` have passed. */
export async function runLoad(spec: RunSpec): Promise<RunStats> {
  const { sims, batch, send } = spec;
  const stats: RunStats = {
    events: 0,
    batches: 0,
    seconds: 0,
    latencies: [],
    errors: new Map(),
    breaches: 0,
  };
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  const interval = spec.rate > 0 ? 1000 / spec.rate : 0;
  let slot = started;
  let cursor = Math.floor(Math.random() * sims.length);
  // Round robin over the accounts; an account is never sent two batches at once (a connector serializes
  // per account, and the sync path would only make the second wait for the first's lock).
  const pick = (): AccountSim | null => {
    for (let k = 0; k < sims.length; k++) {
      const sim = sims[cursor++ % sims.length];
      if (!sim.busy) return sim;
    }
    return null;
  };
  const worker = async () => {
    while (true) {
      if (interval) {
        const mine = slot;
        if (mine >= deadline) return;
        slot += interval;
        const wait = mine - performance.now();
        if (wait > 0.5) await sleep(wait);
      } else if (performance.now() >= deadline) return;
      const sim = pick();
      if (!sim) {
        await sleep(1);
        continue;
      }
      sim.busy = true;
      const events = sim.events(batch, Date.now());
      const startedAt = preciseNow();
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await send(sim, events);
      } catch (error) {
        outcome = { ok: false, status: 0, version: 0, breaches: 0, error: String(error).slice(0, 160) };
      }
      const ms = performance.now() - t0;
      sim.busy = false;
      if (outcome.ok) {
        stats.events += events.length;
        stats.batches++;
        stats.breaches += outcome.breaches;
        stats.latencies.push(ms);
      } else {
        const key = `${outcome.status || "exception"}: ${outcome.error ?? ""}`.slice(0, 200);
        stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
      }
      spec.onDone?.(sim, startedAt, outcome);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  stats.seconds = (performance.now() - started) / 1000;
  stats.latencies.sort((a, b) => a - b);
  return stats;
}

/** Calls the live path `applySync` directly: this process holds the pool and the bus. */
export function inProcessSender(deps: { db: Db; bus: Bus }): Sender {
  return async (sim, events) => {
    try {
      const r = await applySync(deps, sim.id, events);
      return { ok: true, status: 200, version: r.account.stateVersion, breaches: r.breaches.length };
    } catch (error) {
      const e = error as { status?: number; code?: string; message?: string };
      return { ok: false, status: e.status ?? 500, version: 0, breaches: 0, error: e.code ?? String(error) };
    }
  };
}

/** Posts each batch, signed with `secret`, to the app on `port` (fetch keeps the connections alive). */
export function httpSender(port: number, secret: string): Sender {
  const url = `http://127.0.0.1:${port}/api/trading/demo-sync`;
  // Each request from its own address (behind TRUST_PROXY the last X-Forwarded-For entry is the client), so
  // the figures do not depend on whether the per-IP API budget (300/min) applies to demo-sync: it is exempt
  // now (`rateLimit: "self"`, 1,200 batches/min per account), but was not when this was written.
  let ip = Math.floor(Math.random() * 2 ** 24);
  return async (sim, events) => {
    const body = JSON.stringify({ accountId: sim.id, events });
    ip = (ip + 1) % 2 ** 24;
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SYNC_SIGNATURE_HEADER]: signSync(secret, body),
        "x-forwarded-for": `10.${ip >> 16}.${(ip >> 8) & 255}.${ip & 255}`,
        "user-agent": "bench-engine-connector",
      },
      body,
    });
    const text = await res.text();
    if (res.status !== 200) {
      let code = text.slice(0, 120);
      try {
        code = JSON.parse(text).error?.code ?? code;
      } catch { /* not JSON */ }
      return { ok: false, status: res.status, version: 0, breaches: 0, error: code };
    }
    const r = JSON.parse(text) as { account: { stateVersion: number }; breaches: unknown[] };
    return { ok: true, status: 200, version: r.account.stateVersion, breaches: r.breaches.length };
  };
}
