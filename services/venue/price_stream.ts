/**
 * `GET /api/venue/stream?symbols=`: the ticks of some symbols as Server-Sent Events, from this process's
 * PriceBook. Protocol: `retry: 3000`, `event: ticks` with the latest quote of each requested symbol at once,
 * then `event: ticks` / `data: Tick[]` at most every COALESCE_MS with each symbol's latest tick since the
 * previous frame (a burst of ticks is one frame; a slow reader gets the newest prices, not a backlog), and
 * `: hb` comments. One subscription, one timer and one encoding per distinct frame serve every price stream of
 * the process (`PriceFanout`). Counts against the same per-user and per-address caps as the account and user streams and
 * ends with its session (services/accounts/stream_sinks.ts).
 */
import type { Db } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import { processStreams, RETRY_MS } from "../accounts/stream.ts";
import type { StreamOwner } from "../accounts/stream_guard.ts";
import { Sink, type SinkSet } from "../accounts/stream_sinks.ts";
import type { PriceBook, Tick } from "./price_book.ts";

/**
 * One frame per COALESCE_MS on average (~10 a second is as fast as a person reads prices), and the longest a
 * tick waits for one. A tick goes out at once (one timer turn, so ticks applied together are one frame) when
 * a frame is allowed; up to FRAME_BURST frames may go back to back after a quiet spell.
 */
export const COALESCE_MS = 100;
const FRAME_BURST = 2;

const encoder = new TextEncoder();

class PriceSink extends Sink {
  /** The batch sequence this client has been sent ticks up to (see `PriceFanout`). */
  sent: number;
  constructor(
    out: ReadableStreamDefaultController<Uint8Array>,
    owner: StreamOwner,
    /** The symbols asked for, and the same as one string: streams asking alike share their frames. */
    readonly symbols: readonly string[],
    readonly key: string,
    readonly fanout: PriceFanout,
  ) {
    super(out, owner);
    this.sent = fanout.seq;
  }
  detach(): void {
    this.fanout.remove(this);
  }
}

/**
 * Every price stream of one process's PriceBook: one subscription to the book, one coalescing timer, and each
 * distinct frame encoded once per flush — thousands of streams cost neither a timer nor an encoding each.
 * Each batch applied gets the next sequence number; a stream remembers up to which it was sent, so its frame
 * is its symbols' latest ticks that arrived after that (streams with the same symbols at the same point get
 * the same bytes). A client that has not read what it was sent is skipped and keeps its point: at its next
 * flush it gets the newest prices of everything it missed, not a backlog.
 */
class PriceFanout {
  /** The sequence number of the last batch applied. */
  seq = 0;
  readonly #streams = new Set<PriceSink>();
  /** Each symbol's latest tick and the batch it came in, while any stream is open. */
  readonly #latest = new Map<string, { tick: Tick; seq: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Frames allowed now: one more every COALESCE_MS, up to FRAME_BURST. A feed ticking exactly every
   * COALESCE_MS must not find each frame a little late and wait for the interval's end (the lag would only
   * grow): the spare frame absorbs the timers' jitter.
   */
  #tokens = FRAME_BURST;
  #refilledAt = performance.now();
  #unsubscribe: (() => void) | undefined;

  constructor(readonly book: PriceBook, readonly sinks: SinkSet) {}

  add(sink: PriceSink): void {
    this.#streams.add(sink);
    this.#unsubscribe ??= this.book.subscribe((ticks) => this.#apply(ticks));
  }

  remove(sink: PriceSink): void {
    this.sinks.release(sink);
    if (!this.#streams.delete(sink) || this.#streams.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#latest.clear();
  }

  #apply(ticks: readonly Tick[]): void {
    const seq = ++this.seq;
    for (const tick of ticks) this.#latest.set(tick.symbol, { tick, seq });
    this.#schedule();
  }

  #schedule(): void {
    // Leading edge: with a frame allowed, a batch goes out on the next turn (ticks applied together are one
    // frame); without, it waits until one is.
    if (this.#timer !== undefined) return;
    this.#refill(performance.now());
    const wait = this.#tokens >= 1 ? 0 : (1 - this.#tokens) * COALESCE_MS;
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #refill(now: number): void {
    this.#tokens = Math.min(FRAME_BURST, this.#tokens + (now - this.#refilledAt) / COALESCE_MS);
    this.#refilledAt = now;
  }

  #flush(): void {
    this.#timer = undefined;
    this.#refill(performance.now());
    this.#tokens = Math.max(0, this.#tokens - 1);
    const frames = new Map<string, Uint8Array | null>();
    let waiting = false;
    for (const sink of this.#streams) {
      if (sink.closed || sink.sent === this.seq) continue;
      if ((sink.out.desiredSize ?? 0) < 0) {
        waiting = true;
        continue;
      }
      const key = `${sink.sent} ${sink.key}`;
      let bytes = frames.get(key);
      if (bytes === undefined) {
        const frame: Tick[] = [];
        for (const symbol of sink.symbols) {
          const latest = this.#latest.get(symbol);
          if (latest && latest.seq > sink.sent) frame.push(latest.tick);
        }
        bytes = frame.length ? encoder.encode(`event: ticks\ndata: ${JSON.stringify(frame)}\n\n`) : null;
        frames.set(key, bytes);
      }
      sink.sent = this.seq;
      if (bytes) this.sinks.write(sink, bytes, false);
    }
    if (waiting) this.#schedule();
  }
}

/** One fan-out per PriceBook, i.e. per process (tests open several apps, each with its own book). */
const fanouts = new WeakMap<PriceBook, PriceFanout>();

/** Opens the stream of `symbols`; the caller has validated them. Throws 429 at a stream cap. */
export async function openPriceStream(
  deps: { db: Db; bus: Bus; prices: PriceBook },
  input: { symbols: readonly string[]; owner: StreamOwner },
): Promise<ReadableStream<Uint8Array>> {
  const sinks = await processStreams(deps);
  let fanout = fanouts.get(deps.prices);
  if (!fanout) fanouts.set(deps.prices, fanout = new PriceFanout(deps.prices, sinks));
  let sink!: PriceSink;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      sink = new PriceSink(controller, input.owner, input.symbols, input.symbols.join(","), fanout);
    },
    cancel() {
      sink.detach();
    },
  });
  sinks.admit(sink);
  fanout.add(sink);
  sink.out.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
  const snapshot = input.symbols.map((s) => deps.prices.latest(s)).filter((t): t is Tick => t !== undefined);
  sink.out.enqueue(encoder.encode(`event: ticks\ndata: ${JSON.stringify(snapshot)}\n\n`));
  return body;
}
