import assert from "node:assert/strict";
import { flag, FlagError, parseFlags, usage } from "./flags.ts";

const spec = {
  accounts: flag.number(1000),
  chunk: flag.number(),
  batch: flag.numbers([1, 10, 50]),
  only: flag.someOf(["inproc", "http", "sse"]),
  http: flag.oneOf(["deno", "node"], "deno"),
  chunked: flag.oneOf(["only", "never"]),
  staff: flag.boolean(),
  profile: flag.dir(),
};

Deno.test("flags: the defaults when absent, the values when given", () => {
  assert.deepEqual(parseFlags(spec, []), {
    accounts: 1000,
    chunk: undefined,
    batch: [1, 10, 50],
    only: ["inproc", "http", "sse"],
    http: "deno",
    chunked: undefined,
    staff: false,
    profile: undefined,
  });
  assert.deepEqual(
    parseFlags(spec, [
      "--accounts=20",
      "--chunk",
      "0.5",
      "--batch=10,,5",
      "--only=sse, http",
      "--http=node",
      "--chunked=never",
      "--staff",
      "--profile=/tmp/a=b",
    ]),
    {
      accounts: 20,
      chunk: 0.5,
      batch: [10, 5],
      only: ["sse", "http"],
      http: "node",
      chunked: "never",
      staff: true,
      profile: "/tmp/a=b",
    },
  );
});

Deno.test("flags: an empty subset is one (load's --faults= runs without faults); an empty number list is not", () => {
  assert.deepEqual(parseFlags(spec, ["--only="]).only, []);
  assert.throws(
    () => parseFlags(spec, ["--batch="]),
    /--batch takes a comma-separated list of numbers, got none/,
  );
});

Deno.test("flags: what a bench cannot run with is refused, naming the flag", () => {
  const refused: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--profile"], /--profile <value>' argument missing/], // a valued flag given alone (sse's, ignored before)
    [["--staff=true"], /'--staff' does not take an argument/],
    [["20"], /Unexpected argument '20'/],
    [["--accounts=lots"], /--accounts takes a number, not "lots"/],
    [["--accounts="], /--accounts takes a number, not ""/], // not 0
    [["--chunk=Infinity"], /--chunk takes a number/],
    [["--batch=1,x"], /--batch takes a number, not "x"/],
    [["--batch=,"], /--batch takes a comma-separated list of numbers, got none/],
    [["--only=htp"], /--only takes one of inproc, http, sse, not "htp"/],
    [["--only=sse,htp"], /--only takes one of inproc, http, sse, not "htp"/],
    [["--http=nodejs"], /--http takes one of deno, node, not "nodejs"/],
  ];
  for (const [args, message] of refused) {
    assert.throws(
      () => parseFlags(spec, args),
      (e) => e instanceof FlagError && message.test(e.message),
      args.join(" "),
    );
  }
});

Deno.test("flags: usage lists every flag with its default or what it takes", () => {
  const text = usage(spec, "bench/x.ts");
  assert.match(text, /^usage: deno run -A bench\/x\.ts /);
  for (
    const line of [
      "--accounts=1000",
      "--chunk=<n>",
      "--batch=1,10,50",
      "--only=inproc,http,sse",
      "--http=deno|node (default deno)",
      "--chunked=only|never",
      "--staff",
      "--profile=<dir>",
    ]
  ) assert.ok(text.split("\n").includes(`  ${line}`), line);
});

/** The benches that read their flags through benchFlags. */
const BENCHES = [
  "engine",
  "engine_write_cpu",
  "engine_ablate",
  "engine_explain",
  "venue",
  "sse",
  "abuse",
  "sync_app_cpu",
  "load",
  "pg_pipeline",
  "gdpr_export",
  "dashboard",
];

Deno.test("every bench refuses an unknown flag before it starts anything", async () => {
  // No database in the environment: a bench that ran past the flag fails on its exit status, or, where it
  // starts on embedded PGlite, at the timeout.
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => k !== "DATABASE_URL" && k !== "REDIS_URL"),
  );
  // One at a time: each is a Deno process of ~100 MB for ~0.3 s, on a machine the other test files share.
  for (const name of BENCHES) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", "--lock=deno.dev.lock", `bench/${name}.ts`, "--bogus"],
      cwd: new URL("..", import.meta.url).pathname,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(30_000),
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, `${name}: ${stderr}`);
    assert.match(stderr, new RegExp(`^bench/${name}\\.ts: Unknown option '--bogus'`, "m"), name);
  }
});
