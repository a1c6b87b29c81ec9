/**
 * Business figures, read from the database at scrape time (cached `METRICS_DB_CACHE_SECONDS`, default 15 s):
 * orders paid and revenue, payouts paid and waiting, breaches by rule, and the server's connections.
 *
 * Why read rather than count where each event commits: every path that pays an order (demo provider,
 * webhook, back office) or records a breach (sync, venue ticks, resets) is covered without touching it, the
 * figures survive restarts, and N processes report the same cluster-wide totals — aggregate them with
 * `max` (not `sum`) across instances. They are exposed as gauges (no `_total`): a refund or an erasure may
 * lower them, which a Prometheus counter must never do.
 */
import { Gauge, type Registry } from "prom-client";
import type { Deps } from "../deps.ts";

interface Figures {
  orders: { currency: string; paid: number; minor: number }[];
  payouts: { currency: string; paid: number; minor: number; open: number }[];
  oldestOpenPayoutSeconds: number | null;
  breaches: { rule: string; action: string; n: number }[];
  connections: { state: string; n: number }[];
}

async function readFigures(sql: Deps["db"]["sql"]): Promise<Figures> {
  const [orders, payouts, [oldest], breaches, connections] = await Promise.all([
    // paid_at stays set when an order is later refunded: this is gross revenue, refunds are not netted.
    sql<{ currency: string; paid: string; minor: string }[]>`
      select currency, count(*) as paid, coalesce(sum(amount * 100), 0)::bigint as minor
      from orders where paid_at is not null group by currency order by currency`,
    sql<{ currency: string; paid: string; minor: string; open: string }[]>`
      select currency,
        count(*) filter (where status = 'paid') as paid,
        coalesce(sum(trader_share * 100) filter (where status = 'paid'), 0)::bigint as minor,
        count(*) filter (where status in ('pending', 'approved')) as open
      from payouts group by currency order by currency`,
    sql<{ seconds: number | null }[]>`
      select extract(epoch from now() - min(requested_at))::float8 as seconds
      from payouts where status in ('pending', 'approved')`,
    sql<{ rule: string; action: string; n: string }[]>`
      select rule, action, count(*) as n from breaches group by rule, action order by rule, action`,
    // PGlite has no other backends to show; a failure here must not cost the business figures.
    sql<{ state: string; n: string }[]>`
      select coalesce(state, 'unknown') as state, count(*) as n from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' group by 1`.catch(() => []),
  ]);
  return {
    orders: orders.map((r) => ({ currency: r.currency, paid: Number(r.paid), minor: Number(r.minor) })),
    payouts: payouts.map((r) => ({
      currency: r.currency,
      paid: Number(r.paid),
      minor: Number(r.minor),
      open: Number(r.open),
    })),
    oldestOpenPayoutSeconds: oldest?.seconds ?? null,
    breaches: breaches.map((r) => ({ rule: r.rule, action: r.action, n: Number(r.n) })),
    connections: connections.map((r) => ({ state: r.state, n: Number(r.n) })),
  };
}

/** The business gauges of one app's database, in `into`. */
export function businessMetrics(deps: Pick<Deps, "db" | "config">, into: Registry): void {
  let cached: { at: number; figures: Promise<Figures> } | null = null;
  const figures = (): Promise<Figures> => {
    const ttlMs = deps.config.metricsDbCacheSeconds * 1000;
    if (!cached || performance.now() - cached.at >= ttlMs) {
      const read = readFigures(deps.db.sql);
      // A failed read is not kept: the next scrape tries again.
      read.catch(() => cached = null);
      cached = { at: performance.now(), figures: read };
    }
    return cached.figures;
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    set: (g: Gauge<L>, f: Figures) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [into],
      async collect() {
        const f = await figures();
        this.reset();
        set(this, f);
      },
    });

  gauge(
    "proptrade_orders_paid",
    "Orders ever paid (cluster-wide, from the database).",
    ["currency"],
    (g, f) => {
      for (const o of f.orders) g.set({ currency: o.currency }, o.paid);
    },
  );
  gauge(
    "proptrade_revenue_minor",
    "Gross revenue of paid orders in minor units (cents), refunds not netted (cluster-wide).",
    ["currency"],
    (g, f) => {
      for (const o of f.orders) g.set({ currency: o.currency }, o.minor);
    },
  );
  gauge("proptrade_payouts_paid", "Payouts marked paid (cluster-wide).", ["currency"], (g, f) => {
    for (const p of f.payouts) g.set({ currency: p.currency }, p.paid);
  });
  gauge(
    "proptrade_payouts_paid_minor",
    "Trader share of paid payouts in minor units (cluster-wide).",
    ["currency"],
    (g, f) => {
      for (const p of f.payouts) g.set({ currency: p.currency }, p.minor);
    },
  );
  gauge("proptrade_payouts_open", "Payouts pending or approved, not yet paid.", ["currency"], (g, f) => {
    for (const p of f.payouts) g.set({ currency: p.currency }, p.open);
  });
  gauge(
    "proptrade_payouts_open_oldest_seconds",
    "Age of the oldest payout request still pending or approved (0 when none).",
    [],
    (g, f) => g.set(f.oldestOpenPayoutSeconds ?? 0),
  );
  gauge(
    "proptrade_breaches",
    "Breaches and pauses recorded, by rule and action.",
    ["rule", "action"],
    (g, f) => {
      for (const b of f.breaches) g.set({ rule: b.rule, action: b.action }, b.n);
    },
  );
  gauge(
    "proptrade_db_connections",
    "Server connections to this database by state (pg_stat_activity; all processes).",
    ["state"],
    (g, f) => {
      for (const c of f.connections) g.set({ state: c.state }, c.n);
    },
  );
}
