/**
 * First start from empty caches, as a newcomer (or a fresh container build) meets it:
 *
 *   deno run -A bench/cold_start.ts [--ref=HEAD] [--ref=main …] [--no-anchor]
 *
 * For each git ref: a fresh tree (`git archive`, so no node_modules/, _fresh/ or data/), an empty DENO_DIR,
 * nothing configured (the embedded default: PGlite, in-memory bus, disk storage), then `deno task start`
 * until GET /healthz answers. Printed per ref: seconds to /healthz, npm packages downloaded (and their MB),
 * and the same figures for `deno install` of everything (what tests and benches fetch on top).
 *
 * Anchor, measured in the same run: fetching ONE known package (preact, ~1 MB unpacked) from an empty
 * DENO_DIR, median of 3. A cold start is dominated by per-package registry round trips and unpacking (plus
 * the build, migrations and seed), so "× one package" tracks the network and disk of the machine it ran on;
 * seconds alone are only comparable on the same machine. Each child is bounded (START_TIMEOUT_S) and every
 * process it started is killed before the next step; traffic goes to 127.0.0.1 and the npm registry only.
 */
import { freePort } from "../tests/helpers/net.ts";

const START_TIMEOUT_S = Number(Deno.env.get("START_TIMEOUT_S") ?? 240);
const ANCHOR_PACKAGE = "npm:preact@10.29.8";
const repo = new URL("..", import.meta.url).pathname;

const args = Deno.args;
const refs = args.filter((a) => a.startsWith("--ref=")).map((a) => a.slice("--ref=".length));
if (refs.length === 0) refs.push("HEAD");
const withAnchor = !args.includes("--no-anchor");
const withFull = !args.includes("--no-full");

/** The environment of a machine where nothing is configured and nothing is cached. */
function coldEnv(denoDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    DENO_DIR: denoDir,
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    ...extra,
  };
  // The machine's own trust store and proxy settings stay: they are how it reaches the registry at all.
  const machine = [
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "DENO_CERT",
    "NODE_EXTRA_CA_CERTS",
  ];
  const proxy = [
    "DENO_TLS_CA_STORE",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "https_proxy",
    "http_proxy",
    "no_proxy",
  ];
  for (const name of [...machine, ...proxy, "NPM_CONFIG_REGISTRY"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  return env;
}

async function run(
  cmd: string,
  cmdArgs: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const out = await new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: opts.cwd,
    env: opts.env,
    clearEnv: opts.env !== undefined,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `${cmd} ${cmdArgs.join(" ")} failed:\n${new TextDecoder().decode(out.stderr).slice(-2000)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** A fresh tree of `ref` in a temp dir: what a clone would hold, nothing generated. */
async function checkout(ref: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "proptrade-cold-" });
  const archive = `${dir}.tar`;
  await run("git", ["-C", repo, "archive", "--format=tar", "-o", archive, ref]);
  await run("tar", ["-xf", archive, "-C", dir]);
  await Deno.remove(archive);
  return dir;
}

/** npm packages (name@version) in a DENO_DIR's npm cache, and their size on disk. */
async function npmCache(denoDir: string): Promise<{ packages: number; bytes: number }> {
  const registry = `${denoDir}/npm/registry.npmjs.org`;
  let packages = 0;
  const versionsOf = async (dir: string) => {
    for await (const v of Deno.readDir(dir)) if (v.isDirectory) packages++;
  };
  try {
    for await (const entry of Deno.readDir(registry)) {
      if (!entry.isDirectory) continue;
      if (entry.name.startsWith("@")) {
        for await (const scoped of Deno.readDir(`${registry}/${entry.name}`)) {
          if (scoped.isDirectory) await versionsOf(`${registry}/${entry.name}/${scoped.name}`);
        }
      } else await versionsOf(`${registry}/${entry.name}`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const du = await run("du", ["-sb", registry]).catch(() => "0");
  return { packages, bytes: Number(du.split(/\s/)[0]) };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

/** Seconds to fetch the anchor package into an empty DENO_DIR (median of 3). */
async function anchor(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const denoDir = await Deno.makeTempDir({ prefix: "proptrade-anchor-" });
    const started = performance.now();
    await run(Deno.execPath(), ["cache", "--no-config", ANCHOR_PACKAGE], { env: coldEnv(denoDir) });
    times.push(performance.now() - started);
    await Deno.remove(denoDir, { recursive: true });
  }
  return times.sort((a, b) => a - b)[1];
}

/**
 * CPU seconds (user + system) spent so far by process group `pgid`, counting children it has already reaped
 * (the Tailwind build, `deno task`'s own child). On a shared machine wall time stretches with the load; CPU
 * time much less, so it is printed beside it.
 */
async function groupCpuSeconds(pgid: number): Promise<number> {
  let ticks = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    // Fields after the command name "(…)": state is field 3, pgrp field 5, utime..cstime fields 14..17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** `deno task start` in `dir` with an empty DENO_DIR, until /healthz answers, or throws. */
async function coldStart(dir: string, denoDir: string): Promise<{ ms: number; cpuS: number }> {
  const dataDir = await Deno.makeTempDir({ prefix: "proptrade-cold-data-" });
  const port = freePort();
  const logPath = `${dataDir}.log`;
  const started = performance.now();
  // setsid: the task's children (deno run …) join one new process group, killed as a whole below.
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "task", "start"],
    cwd: dir,
    env: coldEnv(denoDir, { DATA_DIR: dataDir, PORT: String(port), BIND_HOST: "127.0.0.1" }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logging = Promise.all(
    [child.stdout, child.stderr].map(async (stream, i) =>
      stream.pipeTo((await Deno.open(`${logPath}.${i + 1}`, { write: true, create: true })).writable)
    ),
  );
  let exited = false, answered = false;
  child.status.then(() => exited = true);
  try {
    while (true) {
      const elapsed = performance.now() - started;
      if (exited) {
        throw new Error(`deno task start exited before /healthz answered (logs: ${logPath}.1 and .2)`);
      }
      if (elapsed > START_TIMEOUT_S * 1000) throw new Error(`no /healthz within ${START_TIMEOUT_S} s`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
        .then(async (r) => (await r.body?.cancel(), r.ok), () => false);
      if (ok) {
        answered = true;
        return { ms: performance.now() - started, cpuS: await groupCpuSeconds(child.pid) };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    try {
      Deno.kill(-child.pid, "SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await logging.catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    // The app's output is kept only when it did not come up, for the error message above.
    if (answered) { for (const i of [1, 2]) await Deno.remove(`${logPath}.${i}`).catch(() => {}); }
  }
}

/** `deno install` of everything tests and benches use (what `.ci/run` installs). */
async function fullInstall(dir: string, denoDir: string): Promise<number> {
  const started = performance.now();
  // Since the production/dev split, the test and bench tools are in deno.dev.lock (tests/deps/README.md).
  const devLock = await Deno.stat(`${dir}/deno.dev.lock`).then(() => ["--lock=deno.dev.lock"], () => []);
  await run(Deno.execPath(), ["install", ...devLock], { cwd: dir, env: coldEnv(denoDir) });
  return performance.now() - started;
}

const anchorMs = withAnchor ? await anchor() : NaN;
if (withAnchor) {
  console.log(`anchor: ${ANCHOR_PACKAGE} from an empty cache  ${seconds(anchorMs)} s (median of 3)`);
}

for (const ref of refs) {
  const sha = (await run("git", ["-C", repo, "rev-parse", "--short", ref])).trim();
  const dir = await checkout(ref);
  const denoDir = await Deno.makeTempDir({ prefix: "proptrade-cold-deno-" });
  try {
    const { ms: startMs, cpuS } = await coldStart(dir, denoDir);
    const prod = await npmCache(denoDir);
    const ratio = withAnchor ? `  (${(startMs / anchorMs).toFixed(0)}× the anchor)` : "";
    console.log(
      `${ref} (${sha}): first start to /healthz  ${seconds(startMs)} s${ratio}, ${cpuS.toFixed(1)} CPU s; ` +
        `npm packages downloaded ${prod.packages} (${mb(prod.bytes)} MB)`,
    );
    if (withFull) {
      const fullMs = await fullInstall(dir, denoDir);
      const full = await npmCache(denoDir);
      console.log(
        `${ref} (${sha}): then \`deno install\` (tests, benches) ${seconds(fullMs)} s; ` +
          `+${full.packages - prod.packages} packages, ${full.packages} in all (${mb(full.bytes)} MB)`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(denoDir, { recursive: true }).catch(() => {});
  }
}
