/**
 * SSR throughput and client budget (DESIGN §5), printed as figures:
 *  - requests/s of `/` and `/challenges` (both answered from the page cache) in the real app — access log,
 *    metrics, request ids and security headers on, as in production — vs a bare `Deno.serve` answering the
 *    very bytes and headers the app sent for that page, and vs a hello world, same run, same load generator
 *    (wrk when installed — `apt-get install wrk` — else a built-in keep-alive fetch loop);
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

type Generator = "wrk" | "fetch";

/**
 * wrk (C, one thread) keeps the server the bottleneck, so it shows the server's true cost. The fetch loop
 * runs in Deno and saturates before a fast server does — it compresses ratios toward 1 and is kept for
 * comparison with figures measured that way (and for machines without wrk).
 */
async function load(url: string, generator: Generator): Promise<number> {
  if (generator === "wrk") {
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

const generators: Generator[] = hasWrk() ? ["wrk", "fetch"] : ["fetch"];

/** Requests/s of each path on one server, per generator, after a warm-up. */
async function measure(
  server: { port: number },
  paths: string[],
): Promise<Record<string, Record<Generator, number>>> {
  const result: Record<string, Record<Generator, number>> = {};
  for (const path of paths) {
    const url = `http://127.0.0.1:${server.port}${path}`;
    result[path] = {} as Record<Generator, number>;
    for (const generator of generators) {
      await load(url, generator);
      result[path][generator] = await load(url, generator);
    }
  }
  return result;
}

const manifest = await ensureBuild(buildOptions);
const chunks = [manifest.runtime, ...(manifest.imports[manifest.runtime] ?? [])];
let gz = 0;
for (const url of chunks) {
  gz += (await gzip(await Deno.readFile(`${root}_fresh/static/${url.replace("/_frsh/", "")}`))).length;
}

const hello = await startServer("bench/hello_server.ts");
const helloRps = (await measure(hello, ["/"]))["/"];
await hello.stop();

const PAGES = ["/", "/challenges"];
const app = await startServer("bench/app_server.ts");
const appRps = await measure(app, PAGES);
// What the app answered for each page (a cache hit), for the bare server to answer byte for byte.
const captures: string[] = [];
for (const path of PAGES) {
  const res = await fetch(`http://127.0.0.1:${app.port}${path}`);
  const file = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(file, JSON.stringify({ headers: [...res.headers], body: await res.text() }));
  captures.push(file);
}
await app.stop();

/** Requests/s of the bare `Deno.serve` answering each page's captured bytes and headers. */
const replayRps: Record<string, Record<Generator, number>> = {};
for (const [i, path] of PAGES.entries()) {
  const replay = await startServer("bench/replay_server.ts", captures[i]);
  replayRps[path] = (await measure(replay, ["/"]))["/"];
  await replay.stop();
  await Deno.remove(captures[i]);
}

console.log(
  `load: ${CONNECTIONS} connections, ${DURATION} s per figure; generators: ${generators.join(", ")}`,
);
console.log(
  `database: ${Deno.env.get("DATABASE_URL") ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite (in-process)"}`,
);
const rows: [string, Record<Generator, number>][] = [
  ["hello world (bare Deno.serve)", helloRps],
  ["same bytes+headers as / (bare)", replayRps["/"]],
  ["/ (app, page cache)", appRps["/"]],
  ["same bytes+headers as /challenges (bare)", replayRps["/challenges"]],
  ["/challenges (app, page cache + island)", appRps["/challenges"]],
];
/** Each page's share of the bare server answering its very bytes and headers (issue 15's targets). */
const TARGETS: Record<string, number> = { "/": 0.9, "/challenges": 0.8 };
for (const generator of generators) {
  console.log(`\n${generator === "wrk" ? "wrk -t1 (server-bound)" : "fetch loop in Deno (client-bound)"}`);
  for (const [label, rps] of rows) {
    const ratio = rps[generator] / helloRps[generator];
    console.log(
      `  ${label.padEnd(42)}${rps[generator].toFixed(0).padStart(8)} req/s   ratio ${ratio.toFixed(2)}`,
    );
  }
  for (const path of PAGES) {
    const ratio = appRps[path][generator] / replayRps[path][generator];
    console.log(
      `  → ${path} vs bare Deno.serve with the same bytes+headers: ${ratio.toFixed(2)} (target ≥ ${
        TARGETS[path].toFixed(2)
      }) ${ratio >= TARGETS[path] ? "OK" : "BELOW TARGET"}; vs hello world ${
        (appRps[path][generator] / helloRps[generator]).toFixed(2)
      }`,
    );
  }
}
console.log(
  `\nruntime + preact + signals: ${
    (gz / 1024).toFixed(2)
  } KiB gzip in ${chunks.length} chunk(s) (target ≤ 12 KB) ${gz <= 12 * 1024 ? "OK" : "OVER BUDGET"}`,
);
