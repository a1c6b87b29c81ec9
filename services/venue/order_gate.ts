/**
 * Orders before marks: the venue's order path counts the orders in flight per database (process), and the
 * marker (services/venue/marker.ts) waits for a moment without one before it sends its next statement of
 * marks, so an order's few round trips do not queue behind the marker's writes in PostgreSQL. The wait is
 * bounded (`maxMs`): a steady stream of orders delays marks, it never stops them.
 */
import type { Db } from "../../db/client.ts";

class OrderGate {
  #inFlight = 0;
  #waiters: (() => void)[] = [];

  /** Runs `fn` as an order in flight. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    try {
      return await fn();
    } finally {
      if (--this.#inFlight === 0) { for (const wake of this.#waiters.splice(0)) wake(); }
    }
  }

  /** Whether an order is in flight now (the marker's evaluation then gives the loop back at every pause). */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Resolves when no order is in flight, or after `maxMs`. */
  clear(maxMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }
}

const gates = new WeakMap<Db, OrderGate>();

/** The gate of the orders sent to `db` by this process. */
export function orderGate(db: Db): OrderGate {
  let gate = gates.get(db);
  if (!gate) gates.set(db, gate = new OrderGate());
  return gate;
}
