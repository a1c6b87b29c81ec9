/**
 * Builds the Dockerfile and runs the image for real, where a container engine works (docker, else podman):
 *
 *   deno run -A bench/container.ts            (DENO_IMAGE=<image> to build FROM another image of Deno 2.9.6)
 *
 * Printed: build time, image size, then for two runs — the embedded default (APP_ENV=development, PGlite,
 * in-memory bus) and production against the host's PostgreSQL and Redis (DATABASE_URL / REDIS_URL from the
 * environment; skipped without them) — seconds until /healthz and /readyz answer, the user the app runs as
 * and the image's own HEALTHCHECK verdict. Containers use the host network and listen on 127.0.0.1 only;
 * each is removed at the end. Without a working engine it prints why and exits 0: CI machines have none, and
 * tests/dockerfile_test.ts checks the Dockerfile there.
 *
 * ENGINE_BUILD_FLAGS / ENGINE_RUN_FLAGS add engine flags (space-separated) for hosts that need them, e.g. a
 * VM whose cgroups are in hybrid mode and whose rlimits cannot be raised (see README, "Operating"):
 *   ENGINE_BUILD_FLAGS="--isolation chroot" \
 *   ENGINE_RUN_FLAGS="--runtime runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096"
 */
import { freePort } from "../tests/helpers/net.ts";
import { createScratchDb } from "../tests/helpers/scratch_db.ts";

const root = new URL("..", import.meta.url).pathname;
const TAG = "localhost/proptrade:bench";
const TIMEOUT_S = 300;
const flags = (name: string) => (Deno.env.get(name) ?? "").split(/\s+/).filter(Boolean);
const BUILD_FLAGS = flags("ENGINE_BUILD_FLAGS");
const RUN_FLAGS = flags("ENGINE_RUN_FLAGS");

async function sh(cmd: string[], opts: { quiet?: boolean } = {}): Promise<{ ok: boolean; out: string }> {
  // A missing program throws as the command is spawned, before any promise: awaited inside the try too.
  let out: { success: boolean; stdout: Uint8Array; stderr: Uint8Array };
  try {
    out = await new Deno.Command(cmd[0], { args: cmd.slice(1), cwd: root, stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    out = { success: false, stdout: new Uint8Array(), stderr: new TextEncoder().encode(String(e)) };
  }
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success && !opts.quiet) {
    console.log(`$ ${cmd.join(" ")}\n${text.trim().split("\n").slice(-15).join("\n")}`);
  }
  return { ok: out.success, out: text.trim() };
}

/** The first engine that answers `info`, with what the others said. */
async function engine(): Promise<{ bin: string | null; why: string[] }> {
  const why: string[] = [];
  for (const bin of ["docker", "podman"]) {
    const { ok, out } = await sh([bin, "info"], { quiet: true });
    if (ok) return { bin, why };
    why.push(`${bin}: ${out.split("\n").filter(Boolean).slice(-1)[0] ?? "not installed"}`);
  }
  return { bin: null, why };
}

async function waitFor(url: string, started: number): Promise<number | null> {
  while (performance.now() - started < TIMEOUT_S * 1000) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) })
      .then(async (r) => (await r.body?.cancel(), r.ok), () => false);
    if (ok) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

async function runOnce(bin: string, label: string, env: Record<string, string>): Promise<void> {
  const port = freePort();
  const name = `proptrade-bench-${port}`;
  const envArgs = Object.entries({ PORT: String(port), BIND_HOST: "127.0.0.1", ...env })
    .flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const started = performance.now();
  const run = await sh([
    bin,
    "run",
    ...RUN_FLAGS,
    "-d",
    "--name",
    name,
    "--network",
    "host",
    ...envArgs,
    TAG,
  ]);
  if (!run.ok) return;
  try {
    const health = await waitFor(`http://127.0.0.1:${port}/healthz`, started);
    const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, started);
    const mode = ready === null ? null : await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json())
      .then((b) => JSON.stringify(b.mode ?? b), () => "?");
    const user = (await sh([bin, "exec", name, "id", "-un"], { quiet: true })).out;
    // The image's own HEALTHCHECK, run now (docker reports its last scheduled probe instead).
    const check = bin === "podman"
      ? ((await sh([bin, "healthcheck", "run", name], { quiet: true })).ok ? "healthy" : "unhealthy")
      : (await sh([bin, "inspect", "--format", "{{.State.Health.Status}}", name], { quiet: true })).out;
    console.log(
      `${label}: /healthz after ${health?.toFixed(1) ?? "—"} s, /readyz after ${
        ready?.toFixed(1) ?? "—"
      } s ` +
        `(mode ${mode}); runs as ${user}; HEALTHCHECK ${check}`,
    );
    if (health === null) console.log((await sh([bin, "logs", "--tail", "30", name], { quiet: true })).out);
  } finally {
    await sh([bin, "rm", "-f", name], { quiet: true });
  }
}

const { bin, why } = await engine();
if (bin === null) {
  console.log(`no container engine works here, so the image is not built:\n  ${why.join("\n  ")}`);
  Deno.exit(0);
}

const buildArgs = Deno.env.get("DENO_IMAGE")
  ? ["--build-arg", `DENO_IMAGE=${Deno.env.get("DENO_IMAGE")}`]
  : [];
// podman writes OCI images by default, which drop HEALTHCHECK; the docker format keeps it.
const format = bin === "podman" ? ["--format", "docker"] : [];
const built = performance.now();
const build = await sh([
  bin,
  "build",
  ...BUILD_FLAGS,
  ...format,
  "--network",
  "host",
  ...buildArgs,
  "-t",
  TAG,
  ".",
]);
if (!build.ok) Deno.exit(1);
const size = Number((await sh([bin, "image", "inspect", "--format", "{{.Size}}", TAG])).out);
console.log(
  `${bin} build: ${((performance.now() - built) / 1000).toFixed(0)} s; image ${(size / 1e6).toFixed(0)} MB`,
);
const packages =
  (await sh([bin, "run", ...RUN_FLAGS, "--rm", "--entrypoint", "ls", TAG, "node_modules/.deno"], {
    quiet: true,
  }))
    .out.split("\n").filter((n) => /@\d/.test(n));
const tools = packages.filter((n) =>
  /^(playwright-core|lighthouse|fast-check|smtp-server|@20minutes\+s3rver)@/.test(n)
);
console.log(
  `npm packages in the image: ${packages.length}; test tools among them: ${tools.join(", ") || "none"}`,
);

await runOnce(bin, "embedded default", { APP_ENV: "development", DATA_DIR: "/app/data" });

const databaseUrl = Deno.env.get("DATABASE_URL");
const redisUrl = Deno.env.get("REDIS_URL");
if (!databaseUrl || !redisUrl) {
  console.log("production run skipped: set DATABASE_URL and REDIS_URL (the host's PostgreSQL and Redis)");
} else {
  const secret = () =>
    [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
  // A database of its own beside DATABASE_URL's: fresh secrets cannot read what an earlier run (or another
  // tool) sealed in a database that outlives it, and the start refuses such data (services/key_check.ts).
  const scratch = await createScratchDb(databaseUrl, "bench_container");
  try {
    await runOnce(bin, "production, host PostgreSQL + Redis", {
      APP_ENV: "production",
      DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl,
      APP_URL: "http://127.0.0.1",
      JWT_SECRET: secret(),
      SYNC_SECRET: secret(),
      PAYMENT_WEBHOOK_SECRET: secret(),
      KYC_ENCRYPTION_KEY: secret(),
    });
  } finally {
    await scratch.drop();
  }
}
