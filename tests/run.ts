/**
 * `deno task test`: the whole suite in two `deno test` runs.
 *
 * 1. Every test file except those in SERIAL, in parallel workers (`--parallel`; DENO_JOBS sets how many,
 *    default one per core). Each file gets its own worker, so in embedded mode its own PGlite (~650 MB).
 * 2. The files in SERIAL, one at a time on an otherwise idle machine: they measure time or hold the CPU to
 *    a deadline, so workers competing for the cores would make them flaky (or slow enough to time out).
 *
 * Both runs always happen; the exit status is non-zero if either failed. Each run prints deno's own closing
 * line (`ok | 12 passed | 0 failed (3s)`); `.ci/run` sums them. The last line adds them up for a reader.
 *
 * With arguments (`deno task test tests/faq_test.ts --filter x`) it is a plain `deno test` of just those.
 */
import { appManifest } from "./helpers/app.ts";

/** Files that must not share the machine with other test files (paths from the project root). */
const SERIAL = [
  // Timing side channel: medians of request times, compared with a bound.
  "tests/auth_timing_test.ts",
  // Stall probes and deadlines measured on the event loop.
  "tests/sync_batches_test.ts",
  "tests/simulate_limits_test.ts",
  "tests/slow_client_test.ts",
  // Heartbeat and session-expiry timings of the live stream; the cluster test also runs child servers.
  "tests/account_stream_test.ts",
  "tests/account_stream_session_test.ts",
  "tests/account_stream_cluster_test.ts",
  // The user stream must end within a second of its session.
  "tests/user_stream_test.ts",
  // A suspended trader's open dashboard must leave within a second (Chromium, timed).
  "tests/browser/admin_users_test.ts",
  // Stops and freezes a private redis-server and measures how fast requests fail over.
  "tests/redis_outage_test.ts",
  // Cuts PostgreSQL's connections three times; each time the pool must answer within 2 s of the server's
  // return, which the reconnect backoff (up to 1 s, db/client.ts) leaves little slack for on a loaded box.
  "tests/db_connection_loss_test.ts",
  // Measures the process's RSS around a 10 MB upload: parallel test files run as workers of ONE process, so
  // their allocations would count against it.
  "tests/kyc_memory_test.ts",
  // Boots `deno task start` as a child process (build, migrations, seed) under a deadline.
  "tests/embedded_boot_test.ts",
  // Price frames must follow a 10/s feed within a timer turn, measured over 3 s.
  "services/venue/price_stream_timing_test.ts",
  // Rebuilds tests/fixtures/basic/_fresh, which tests/lib/app_test.ts (parallel run) builds and serves too.
  "tests/browser/hydration_test.ts",
  // Three app processes behind nginx; kills the leader and times the hand-over.
  "tests/cluster_test.ts",
  // Counts the terminal's requests over 5 s of 4 ticks a second, the marker's frames and a stream's gap.
  "tests/browser/terminal_requests_test.ts",
];

// The dev lock: test files resolve the dev-only packages of tests/deps/ (deno.lock is production only).
const DENO_TEST = ["test", "-A", "--no-check=remote", "--lock=deno.dev.lock"];

interface Summary {
  passed: number;
  failed: number;
  ignored: number;
}

/** Runs `deno <args>`, passing its output through, and returns its exit status and closing summary. */
async function denoTest(args: string[]): Promise<{ success: boolean; summary: Summary | null }> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit", stdin: "null" })
    .spawn();
  let summary: Summary | null = null;
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    const lines = (pending + decoder.decode(chunk, { stream: true })).split("\n");
    pending = lines.pop()!;
    for (const line of lines) summary = parseSummary(line) ?? summary;
  }
  summary = parseSummary(pending) ?? summary;
  return { success: (await child.status).success, summary };
}

/** Reads deno test's closing line, e.g. `FAILED | 40 passed (3 steps) | 1 failed | 2 ignored (9s)`. */
export function parseSummary(line: string): Summary | null {
  // deno-lint-ignore no-control-regex
  const plain = line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  const match = /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(plain);
  if (!match) return null;
  const ignored = /\| (\d+) ignored/.exec(plain);
  return { passed: Number(match[1]), failed: Number(match[2]), ignored: ignored ? Number(ignored[1]) : 0 };
}

async function main(args: string[]): Promise<number> {
  if (args.length > 0) return (await denoTest([...DENO_TEST, ...args])).success ? 0 : 1;

  const started = performance.now();
  // Build the app once up front: parallel workers that each found it stale would rebuild _fresh together.
  await appManifest();
  const parallel = await denoTest([...DENO_TEST, "--parallel", `--ignore=${SERIAL.join(",")}`]);
  const serial = await denoTest([...DENO_TEST, ...SERIAL]);

  const runs = [parallel, serial];
  const total = { passed: 0, failed: 0, ignored: 0 };
  for (const { summary } of runs) {
    total.passed += summary?.passed ?? 0;
    total.failed += summary?.failed ?? 0;
    total.ignored += summary?.ignored ?? 0;
  }
  const success = runs.every((run) => run.success && run.summary);
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(
    `\nboth runs: ${success ? "ok" : "FAILED"} | ${total.passed} passed | ${total.failed} failed | ` +
      `${total.ignored} ignored (${seconds}s)`,
  );
  return success ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
