/**
 * The database as this process sees it: the pool's size and the transactions holding or awaiting one of its
 * connections (postgres.js exposes nothing finer; db/client.ts counts them), and whether each dependency
 * answers (the same probe as `/readyz`).
 */
import { Gauge, type Registry } from "prom-client";
import type { Deps } from "../deps.ts";
import { checkReadiness } from "../readiness.ts";

export function databaseMetrics(deps: Pick<Deps, "db" | "bus" | "store">, into: Registry): void {
  new Gauge({
    name: "proptrade_db_pool_max",
    help: "Connections the database pool may open (embedded mode: 1).",
    registers: [into],
    collect() {
      this.set(deps.db.pool.max);
    },
  });
  new Gauge({
    name: "proptrade_db_transactions_in_flight",
    help: "Transactions holding or waiting for a pool connection; above the pool size, requests queue.",
    registers: [into],
    collect() {
      this.set(deps.db.pool.transactions());
    },
  });
  new Gauge({
    name: "proptrade_dependency_up",
    help: "1 when the dependency answers within 2 s (as /readyz checks it), else 0.",
    labelNames: ["dependency"] as const,
    registers: [into],
    async collect() {
      const { checks } = await checkReadiness(deps);
      for (const [dependency, state] of Object.entries(checks)) {
        this.set({ dependency }, state === "ok" ? 1 : 0);
      }
    },
  });
}
