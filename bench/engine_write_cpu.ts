/**
 * Database CPU per demo-sync batch at a fixed group size (issue 15, "Ingest efficiency"): the engine
 * benchmark's figure moves with how many batches each group write carries, which moves with throughput, so
 * two versions of the write path are hard to compare with it on a noisy machine. Here every round sends
 * `--group` accounts' batch-10 batches through `applySync` on ONE connection: the reads go first, then one
 * write alone and one write of the rest (sync_group.ts), every round the same. The backend's own CPU time
 * (/proc) divided by the batches is the figure, with this process's CPU (the app side of `applySync` plus
 * the simulated traders) beside it.
 *
 * Needs DATABASE_URL and Linux /proc with the server on this machine. Works in a scratch schema (dropped),
 * filled first with `--warm` seconds of the engine benchmark's in-process load over `--accounts` accounts.
 *
 * Usage: DATABASE_URL=… deno run -A bench/engine_write_cpu.ts [--accounts=400] [--warm=4] [--group=8]
 *   [--rounds=150] [--reps=3]
 */
import postgres from "postgres";
import process from "node:process";
import { applySync } from "../services/accounts/sync.ts";
import { withWarmScratch } from "./engine_scratch.ts";
import { benchFlags, flag } from "./flags.ts";

const flags = benchFlags({
  accounts: flag.number(400),
  warm: flag.number(4),
  group: flag.number(8),
  rounds: flag.number(150),
  reps: flag.number(3),
});
const ACCOUNTS = flags.accounts;
const WARM = flags.warm;
const GROUP = flags.group;
const ROUNDS = flags.rounds;
const REPS = flags.reps;
const BATCH = 10;

/** utime + stime of a process, ms (USER_HZ = 100). */
async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

await withWarmScratch(
  "write_cpu",
  { accounts: ACCOUNTS, warmSeconds: WARM, simSeconds: WARM + 60, batch: BATCH },
  async ({ url, schema, db, bus, sims }) => {
    const probe = postgres(url, { max: 1, connection: { search_path: schema } });
    try {
      const [{ pid }] = await probe<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const probeDb = { ...db, sql: probe };
      let next = 0;
      const round = () => {
        const group = Array.from({ length: GROUP }, () => sims[next++ % sims.length]);
        return Promise.all(
          group.map((s) => applySync({ db: probeDb, bus }, s.id, s.events(BATCH, Date.now()))),
        );
      };
      for (let i = 0; i < 20; i++) await round(); // plans cached on this connection
      for (let rep = 0; rep < REPS; rep++) {
        const [db0, app0, t0] = [await cpuMs(pid), process.cpuUsage(), performance.now()];
        for (let i = 0; i < ROUNDS; i++) await round();
        const [db1, app1, t1] = [await cpuMs(pid), process.cpuUsage(app0), performance.now()];
        const batches = ROUNDS * GROUP;
        console.log(
          `groups of ${GROUP}: DB backend CPU ${((db1 - db0) / batches).toFixed(3)} ms/batch; ` +
            `this process ${((app1.user + app1.system) / 1000 / batches).toFixed(3)} ms/batch; ` +
            `wall ${((t1 - t0) / ROUNDS).toFixed(2)} ms/round`,
        );
      }
    } finally {
      await probe.end();
    }
  },
);
