/**
 * Where a demo-sync batch's database time goes (issue 15, "Ingest efficiency"): the plans, with timings,
 * buffers, WAL and trigger times, of the statements `applySync` sends for batch-10 loads — one batch alone,
 * and a group of batches of `--group` accounts ready at once (sync_group.ts).
 *
 * Needs DATABASE_URL (a real server). Works in a scratch schema (dropped at the end), filled first with
 * `--warm` seconds of the engine benchmark's in-process load over `--accounts` accounts, so indexes and
 * tables have a realistic size. The plans come from `auto_explain`, loaded into this script's own session
 * only (`LOAD`, no server setting changes) and reported as notices: nested statements (triggers' bodies)
 * and trigger times (foreign keys' checks) included.
 *
 * Usage: DATABASE_URL=… deno run -A bench/engine_explain.ts [--accounts=200] [--warm=5] [--group=8]
 *   [--batch=10]
 */
import postgres from "postgres";
import { applySync } from "../services/accounts/sync.ts";
import { withWarmScratch } from "./engine_scratch.ts";
import { benchFlags, flag } from "./flags.ts";

const flags = benchFlags({
  accounts: flag.number(200),
  warm: flag.number(5),
  group: flag.number(8),
  batch: flag.number(10),
});
const ACCOUNTS = flags.accounts;
const WARM = flags.warm;
const GROUP = flags.group;
const BATCH = flags.batch;

await withWarmScratch(
  "explain",
  { accounts: ACCOUNTS, warmSeconds: WARM, simSeconds: WARM, batch: BATCH },
  async ({ url, schema, db, bus, sims, warm }) => {
    console.log(`warm-up: ${warm.batches} batches of ${BATCH} over ${ACCOUNTS} accounts`);
    const notices: string[] = [];
    const probe = postgres(url, {
      max: 1,
      connection: { search_path: schema },
      onnotice: (n) => notices.push(n.message),
    });
    try {
      await probe`load 'auto_explain'`;
      for (
        const [k, v] of Object.entries({
          log_min_duration: "0",
          log_analyze: "on",
          log_buffers: "on",
          log_wal: "on",
          log_timing: "on",
          log_triggers: "on",
          log_nested_statements: "on",
          log_level: "notice",
        })
      ) await probe.unsafe(`set auto_explain.${k} = '${v}'`);
      const probeDb = { ...db, sql: probe };
      const show = (title: string) => {
        console.log(`\n======== ${title}: ${notices.length} statements`);
        for (const n of notices.splice(0)) console.log(`---\n${n}`);
      };
      await applySync({ db: probeDb, bus }, sims[0].id, sims[0].events(BATCH, Date.now()));
      show("one batch alone");
      await Promise.all(
        sims.slice(1, 1 + GROUP).map((s) =>
          applySync({ db: probeDb, bus }, s.id, s.events(BATCH, Date.now()))
        ),
      );
      show(`${GROUP} accounts at once (reads, then grouped writes)`);
    } finally {
      await probe.end();
    }
  },
);
