/**
 * The request side of the load bench (bench/load.ts): closed loops per kind of traffic, each request timed
 * and its outcome kept with its start time (so errors can be attributed to a fault window or to steady
 * running), and the signed demo-sync sender that remembers which event ids the app acknowledged.
 */
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import type { SyncEvent } from "../services/engine/sync_events.ts";
import { preciseNow } from "../tests/helpers/child_server.ts";
import type { AccountSim } from "./engine_traders.ts";

export type Kind = "public" | "dashboard" | "api" | "ingest" | "anchor";

export interface Sample {
  kind: Kind;
  /** preciseNow() at the start. */
  at: number;
  ms: number;
  status: number;
}

export class Recorder {
  readonly samples: Sample[] = [];
  record(kind: Kind, at: number, status: number): void {
    this.samples.push({ kind, at, ms: preciseNow() - at, status });
  }
}

/** `concurrency` loops calling `request` until `until()` is false; each resolves to an HTTP status (0: failed). */
export async function closedLoop(
  kind: Kind,
  concurrency: number,
  until: () => boolean,
  recorder: Recorder,
  request: (worker: number) => Promise<number>,
): Promise<void> {
  await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
    while (until()) {
      const at = preciseNow();
      let status = 0;
      try {
        status = await request(worker);
      } catch {
        status = 0;
      }
      recorder.record(kind, at, status);
      // A refused connection fails at once: do not spin.
      if (status === 0) await new Promise((r) => setTimeout(r, 20));
    }
  }));
}

let ipCounter = 0;
/** A fresh client address per call (10.x.y.z): the app, behind TRUSTED_PROXIES, rate-limits per address. */
export function nextIp(): string {
  const n = ipCounter++ % 2 ** 22;
  return `10.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** GET `url`, reading the whole body; the status. */
export async function get(url: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return res.status;
}

/** One batch sent to demo-sync: its events' ids, when it went, whether the app acknowledged it. */
export interface SentBatch {
  accountId: string;
  ids: string[];
  sentAt: number;
  acked: boolean;
  /** The account's state version in the acknowledgement. */
  version: number | null;
}

/**
 * Sends each account's next batch; a batch that was not acknowledged (an error, a killed process, the
 * database away) is sent again, unchanged, before anything new for that account, as a connector must: the
 * app deduplicates event ids, so a batch that committed but whose answer was lost is not applied twice.
 */
export class Ingest {
  readonly batches: SentBatch[] = [];
  #retry = new Map<string, SyncEvent[]>();
  #next = 0;

  constructor(
    readonly url: string,
    readonly secret: string,
    readonly sims: AccountSim[],
    readonly batchSize: number,
  ) {}

  /** Sends one batch for the next idle account; the status. */
  async send(): Promise<number> {
    let sim: AccountSim | undefined;
    for (let i = 0; i < this.sims.length && !sim; i++) {
      const candidate = this.sims[this.#next++ % this.sims.length];
      if (!candidate.busy) sim = candidate;
    }
    if (!sim) {
      await new Promise((r) => setTimeout(r, 5));
      return 200;
    }
    sim.busy = true;
    try {
      const events = this.#retry.get(sim.id) ?? sim.events(this.batchSize, Date.now());
      const body = JSON.stringify({ accountId: sim.id, events });
      const batch: SentBatch = {
        accountId: sim.id,
        ids: events.map((e) => e.id),
        sentAt: preciseNow(),
        acked: false,
        version: null,
      };
      this.batches.push(batch);
      let status = 0;
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SYNC_SIGNATURE_HEADER]: signSync(this.secret, body),
            "x-forwarded-for": nextIp(),
            "user-agent": "bench-load-connector",
          },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        const text = await res.text();
        if (status === 200) {
          batch.acked = true;
          batch.version = (JSON.parse(text) as { account: { stateVersion: number } }).account.stateVersion;
        }
      } finally {
        if (batch.acked) this.#retry.delete(sim.id);
        else this.#retry.set(sim.id, events);
      }
      return status;
    } finally {
      sim.busy = false;
    }
  }
}
