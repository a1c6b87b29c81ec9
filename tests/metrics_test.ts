/**
 * GET /metrics: who may read it, what it says after real traffic (route patterns, not raw paths; a paid
 * order moving the business figures; sync events), and the process's probes (bus lag, dependencies).
 */
import assert from "node:assert/strict";
import { openTestApp } from "./helpers/app.ts";
import { client, signUp } from "./helpers/client.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import { postSync, roundTrip } from "./helpers/sync.ts";
import { insertPlan } from "../services/plans/queries.ts";
import { ftmo100k } from "../services/engine/testing.ts";
import { startBusLagProbe } from "../services/metrics/bus_lag.ts";
import { lastBackupSeconds } from "../services/metrics/backups.ts";
import { backupTarget } from "../services/backup/command.ts";
import { type Manifest, MANIFEST_FORMAT } from "../services/backup/manifest.ts";

const PROM_TEXT = "text/plain; version=0.0.4; charset=utf-8";

/** The value of the series `name{labels}` (labels as written, e.g. `currency="USD"`), or null. */
function sample(text: string, name: string, labels = ""): number | null {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [series, value] = line.split(" ");
    const [metric, rest = ""] = series.split("{");
    if (metric !== name) continue;
    if (labels && !rest.replace(/}$/, "").split(",").includes(labels)) continue;
    return Number(value);
  }
  return null;
}

Deno.test("metrics: a token guards them; without one production hides them, and METRICS_PORT moves them", async () => {
  const { app, deps, close } = await openTestApp();
  const config = deps.config as { -readonly [K in keyof typeof deps.config]: (typeof deps.config)[K] };
  try {
    const open = await app.request("/metrics");
    assert.equal(open.status, 200, "outside production, unset token: open for local use");
    assert.equal(open.headers.get("content-type"), PROM_TEXT);
    assert.match(await open.text(), /^# HELP /m);

    config.metricsToken = "m3trics-t0ken-for-tests";
    const none = await app.request("/metrics");
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("content-type"), "application/json");
    assert.equal((await none.json()).error.code, "unauthorized");
    const wrong = await app.request("/metrics", {
      headers: { authorization: "Bearer m3trics-t0ken-for-testX" },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const right = await app.request("/metrics", {
      headers: { authorization: "Bearer m3trics-t0ken-for-tests" },
    });
    assert.equal(right.status, 200);
    assert.equal(right.headers.get("content-type"), PROM_TEXT);
    assert.equal(right.headers.get("cache-control"), "no-store");
    const body = await right.text();
    assert.match(body, /^# TYPE proptrade_http_request_duration_seconds histogram$/m);
    assert.match(body, /^process_resident_memory_bytes \d+/m, "default process metrics");
    assert.match(body, /^nodejs_eventloop_lag_seconds /m, "event loop lag");

    config.metricsToken = undefined;
    config.env = "production";
    const hidden = await app.request("/metrics", { headers: { accept: "application/json" } });
    assert.equal(hidden.status, 404, "production without a token: not exposed at all");
    await hidden.body?.cancel();

    config.env = "test";
    config.metricsPort = 9464;
    const moved = await app.request("/metrics");
    assert.equal(moved.status, 404, "with METRICS_PORT the public port does not serve them");
    await moved.body?.cancel();
  } finally {
    await close();
  }
});

Deno.test("metrics: HTTP latency is labelled by route pattern, never by the ids in a path", async () => {
  const { app, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const id = crypto.randomUUID();
    const res = await client(app).json("GET", `/api/accounts/${id}/overview`, undefined, {
      bearer: user.accessToken,
    });
    assert.equal(res.status, 404);
    await res.body?.cancel();
    const text = await (await app.request("/metrics")).text();
    assert.ok(!text.includes(id), "the raw id never becomes a label value");
    const count = sample(
      text,
      "proptrade_http_request_duration_seconds_count",
      'route="/api/accounts/:id/overview"',
    );
    assert.ok(count !== null && count >= 1, text.slice(0, 2000));
    assert.ok(
      (sample(text, "proptrade_http_requests_total", 'status_class="4xx"') ?? 0) >= 1,
      "requests counted by status class",
    );
  } finally {
    await close();
  }
});

Deno.test("metrics: a paid order moves orders paid and revenue; a sync batch moves the event counters", async () => {
  const { app, deps, close } = await openTestApp();
  (deps.config as { metricsDbCacheSeconds: number }).metricsDbCacheSeconds = 0;
  try {
    const scrape = async () => await (await app.request("/metrics")).text();
    const before = await scrape();
    const { planId } = await insertPlan(deps.db.sql, {
      slug: `metrics-${crypto.randomUUID().slice(0, 8)}`,
      family: "Test",
      body: ftmo100k(),
    });
    const trader = await signUp(app);
    const bought = await client(app).json("POST", "/api/challenges/purchase", { planId }, {
      bearer: trader.accessToken,
    });
    assert.equal(bought.status, 201);
    const { order } = await bought.json();
    const after = await scrape();
    const label = `currency="${order.currency}"`;
    assert.equal(
      sample(after, "proptrade_orders_paid", label),
      (sample(before, "proptrade_orders_paid", label) ?? 0) + 1,
    );
    const cents = Math.round(Number(order.amount) * 100);
    assert.equal(
      sample(after, "proptrade_revenue_minor", label),
      (sample(before, "proptrade_revenue_minor", label) ?? 0) + cents,
    );
    assert.notEqual(sample(after, "proptrade_payouts_open_oldest_seconds"), null);
    assert.equal(sample(after, "proptrade_dependency_up", 'dependency="db"'), 1);
    assert.equal(sample(after, "proptrade_db_pool_max"), deps.db.pool.max);
    assert.notEqual(sample(after, "proptrade_sse_streams", 'kind="all"'), null);

    const applied = sample(after, "proptrade_sync_events_total", 'outcome="applied"') ?? 0;
    const { accountId } = await openTestAccount(deps.db, trader.userId);
    const synced = await postSync(client(app), deps.config.syncSecret, {
      accountId,
      events: roundTrip(`t-${crypto.randomUUID()}`, "120.00", new Date(Date.now() + 1000).toISOString()),
    });
    assert.equal(synced.status, 200, await synced.clone().text());
    await synced.body?.cancel();
    const later = await scrape();
    assert.equal(sample(later, "proptrade_sync_events_total", 'outcome="applied"'), applied + 2);
    assert.ok((sample(later, "proptrade_sync_batch_duration_seconds_count") ?? 0) >= 1);
  } finally {
    await close();
  }
});

Deno.test("metrics: the bus-lag probe gets its pings back and reports their lag", async () => {
  const { app, deps, close } = await openTestApp();
  const stop = await startBusLagProbe(deps.bus, { intervalMs: 20 });
  try {
    let count = 0;
    for (let i = 0; i < 50 && count < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      count = sample(await (await app.request("/metrics")).text(), "proptrade_bus_lag_seconds_count") ?? 0;
    }
    assert.ok(count >= 2, `pings received: ${count}`);
    const age = sample(await (await app.request("/metrics")).text(), "proptrade_bus_ping_age_seconds");
    assert.ok(age !== null && age < 5, `ping age ${age}`);
  } finally {
    await stop();
    await close();
  }
});

Deno.test("metrics: the newest backup's time is read from the backup target; none → 0 (the age alert fires)", async () => {
  const dir = await Deno.makeTempDir();
  const { app, deps, close } = await openTestApp();
  (deps.config as { backup: { dir: string } }).backup.dir = dir;
  try {
    assert.equal(await lastBackupSeconds(deps.config), null);
    const text = await (await app.request("/metrics")).text();
    assert.match(text, /# TYPE proptrade_backup_last_success_timestamp_seconds gauge/);
    assert.equal(sample(text, "proptrade_backup_last_success_timestamp_seconds"), 0);
    // Two complete backups (file + manifest) and one without its manifest: the newest complete one counts.
    for (const at of ["2026-12-01T03:00:00Z", "2026-12-02T03:00:00Z"]) {
      const name = `proptrade-${at.replace(/[-:]/g, "").replace(".000", "")}-postgres.dump`;
      const staged = await backupTarget(deps.config).staging(name);
      await Deno.writeTextFile(staged, "x");
      await backupTarget(deps.config).commit(staged, manifestFor(name, at));
    }
    await Deno.writeTextFile(`${dir}/proptrade-20261203T030000Z-postgres.dump`, "half written");
    assert.equal(await lastBackupSeconds(deps.config), Date.parse("2026-12-02T03:00:00Z") / 1000);
  } finally {
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** A manifest as `deno task backup` writes it, for a backup made at `at` (ISO). */
function manifestFor(file: string, at: string): Manifest {
  return {
    format: MANIFEST_FORMAT,
    file,
    createdAt: new Date(at).toISOString(),
    kind: "postgres",
    size: 1,
    sha256: "0".repeat(64),
    tool: "pg_dump (PostgreSQL) 15.20",
    server: "PostgreSQL 15.20",
    schemaVersion: "023",
    rowCounts: {},
    ledger: { sha256: "0".repeat(64), tables: [] },
  };
}
