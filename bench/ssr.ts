/**
 * SSR throughput and client budget (DESIGN §5), printed as figures:
 *  - requests/s of `/` and `/challenges` in the real app vs a bare `Deno.serve` hello world, same run, same
 *    load generator (wrk when installed — `apt-get install wrk` — else a built-in keep-alive fetch loop);
 *  - gzip size of the client runtime chunk with everything it imports (boot + preact + signals).
 * Each server runs in its own process; loads are bounded (DURATION seconds each) and stop by themselves.
 */
import { ensureBuild } from "../lib/build.ts";
import { gzip } from "../lib/static_files.ts";
import { buildOptions } from "../fresh.config.ts";
import { freePort } from "../tests/helpers/net.ts";

const DURATION = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const CONNECTIONS = 64;
const root = new URL("..", import.meta.url).pathname;

async function startServer(
  script: string,
  ...extra: string[]
): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, String(port), ...extra],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${script} exited before it was ready`);
    seen += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

function hasWrk(): boolean {
  try {
    return Deno.statSync("/usr/bin/wrk").isFile;
  } catch {
    return false;
  }
}

async function load(url: string): Promise<number> {
  if (hasWrk()) {
    const out = await new Deno.Command("wrk", {
      args: ["-t1", `-c${CONNECTIONS}`, `-d${DURATION}s`, "-H", "accept-encoding: gzip", url],
      stdout: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
    if (!rps) throw new Error(`wrk output not understood:\n${text}`);
    if (/Non-2xx/.test(text)) throw new Error(`non-2xx responses from ${url}:\n${text}`);
    return Number(rps[1]);
  }
  let done = 0;
  const until = performance.now() + DURATION * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      const res = await fetch(url, { headers: { "accept-encoding": "gzip" } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      done++;
    }
  }));
  return done / DURATION;
}

const manifest = await ensureBuild(buildOptions);
const chunks = [manifest.runtime, ...(manifest.imports[manifest.runtime] ?? [])];
let gz = 0;
for (const url of chunks) {
  gz += (await gzip(await Deno.readFile(`${root}_fresh/static/${url.replace("/_frsh/", "")}`))).length;
}

const tool = hasWrk()
  ? `wrk -t1 -c${CONNECTIONS} -d${DURATION}s`
  : `built-in fetch loop, ${CONNECTIONS} connections`;
console.log(`load generator: ${tool}`);

const hello = await startServer("bench/hello_server.ts");
await load(`http://127.0.0.1:${hello.port}/`); // warm-up
const helloRps = await load(`http://127.0.0.1:${hello.port}/`);
await hello.stop();

const app = await startServer("bench/app_server.ts");
await load(`http://127.0.0.1:${app.port}/`);
const homeRps = await load(`http://127.0.0.1:${app.port}/`);
const challengesRps = await load(`http://127.0.0.1:${app.port}/challenges`);
const home = await fetch(`http://127.0.0.1:${app.port}/`);
const captureFile = await Deno.makeTempFile({ suffix: ".json" });
await Deno.writeTextFile(
  captureFile,
  JSON.stringify({ headers: [...home.headers], body: await home.text() }),
);
await app.stop();

const replay = await startServer("bench/replay_server.ts", captureFile);
await load(`http://127.0.0.1:${replay.port}/`);
const replayRps = await load(`http://127.0.0.1:${replay.port}/`);
await replay.stop();
await Deno.remove(captureFile);

const ratio = homeRps / helloRps;
const row = (label: string, rps: number, note: string) =>
  console.log(
    `${label.padEnd(34)}${rps.toFixed(0).padStart(8)} req/s   ratio ${(rps / helloRps).toFixed(2)}  ${note}`,
  );
console.log(
  `database: ${Deno.env.get("DATABASE_URL") ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite (in-process)"}`,
);
row("hello world (bare Deno.serve)", helloRps, "");
row(
  "same bytes+headers as / (bare)",
  replayRps,
  "the floor for a real page: Deno's cost of headers and body",
);
row(
  "/ (app, page cache)",
  homeRps,
  `target ≥ 0.50 ${ratio >= 0.5 ? "OK" : "BELOW TARGET"}; ${
    (homeRps / replayRps * 100).toFixed(0)
  } % of the floor`,
);
row("/challenges (app, SSR + island)", challengesRps, "rendered per request (nonce), DB query included");
console.log(
  `runtime + preact + signals: ${
    (gz / 1024).toFixed(2)
  } KiB gzip in ${chunks.length} chunk(s) (target ≤ 12 KB) ${gz <= 12 * 1024 ? "OK" : "OVER BUDGET"}`,
);
