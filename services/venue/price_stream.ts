/**
 * `GET /api/venue/stream?symbols=`: the ticks of some symbols as Server-Sent Events, from this process's
 * PriceBook. Protocol: `retry: 3000`, `event: ticks` with the latest quote of each requested symbol at once,
 * then `event: ticks` / `data: Tick[]` at most every COALESCE_MS with each symbol's latest tick since the
 * previous frame (a burst of ticks is one frame; a slow reader gets the newest prices, not a backlog), and
 * `: hb` comments. Counts against the same per-user and per-address caps as the account and user streams and
 * ends with its session (services/accounts/stream_sinks.ts).
 */
import type { Db } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import { processStreams, RETRY_MS } from "../accounts/stream.ts";
import type { StreamOwner } from "../accounts/stream_guard.ts";
import { Sink } from "../accounts/stream_sinks.ts";
import type { PriceBook, Tick } from "./price_book.ts";

/** The longest a tick waits for the next frame; ~10 frames a second is as fast as a person reads prices. */
export const COALESCE_MS = 100;

const encoder = new TextEncoder();

class PriceSink extends Sink {
  onDetach: () => void = () => {};
  detach(): void {
    this.onDetach();
  }
}

/** Opens the stream of `symbols`; the caller has validated them. Throws 429 at a stream cap. */
export async function openPriceStream(
  deps: { db: Db; bus: Bus; prices: PriceBook },
  input: { symbols: readonly string[]; owner: StreamOwner },
): Promise<ReadableStream<Uint8Array>> {
  const sinks = await processStreams(deps);
  const wanted = new Set(input.symbols);
  const pending = new Map<string, Tick>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sink!: PriceSink;
  let unsubscribe = () => {};

  const flush = () => {
    timer = undefined;
    if (!pending.size || sink.closed) return;
    // A client that has not read what it was sent keeps its pending ticks (overwritten by newer ones) until it has.
    if ((sink.out.desiredSize ?? 0) < 0) {
      timer = setTimeout(flush, COALESCE_MS);
      return;
    }
    const frame = [...pending.values()];
    pending.clear();
    sinks.write(sink, encoder.encode(`event: ticks\ndata: ${JSON.stringify(frame)}\n\n`), false);
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      sink = new PriceSink(controller, input.owner);
    },
    cancel() {
      sink.detach();
    },
  });
  sink.onDetach = () => {
    unsubscribe();
    clearTimeout(timer);
    sinks.release(sink);
  };
  sinks.admit(sink);
  sink.out.enqueue(encoder.encode(`retry: ${RETRY_MS}\n\n`));
  const snapshot = input.symbols.map((s) => deps.prices.latest(s)).filter((t): t is Tick => t !== undefined);
  sink.out.enqueue(encoder.encode(`event: ticks\ndata: ${JSON.stringify(snapshot)}\n\n`));
  unsubscribe = deps.prices.subscribe((ticks) => {
    for (const tick of ticks) if (wanted.has(tick.symbol)) pending.set(tick.symbol, tick);
    if (pending.size && timer === undefined) timer = setTimeout(flush, COALESCE_MS);
  });
  return body;
}
