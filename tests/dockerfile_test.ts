/**
 * The container image, checked without a container engine (CI machines have none; `deno task container`
 * builds and runs it for real where podman or docker works). The Dockerfile is read instruction by
 * instruction, and its dependency step is replayed on exactly the files it copies.
 */
import assert from "node:assert/strict";
import { type Lock } from "./helpers/production_deps.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

interface Instruction {
  op: string;
  args: string;
}

/**
 * The Dockerfile's instructions (continuation lines joined, comments dropped), split into stages; global
 * ARGs before the first FROM belong to no stage and are left out.
 */
export function parseDockerfile(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) =>
    l && !l.startsWith("#")
  );
  const stages: Instruction[][] = [];
  for (const line of joined) {
    const [op, ...rest] = line.split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(" ") };
    if (instruction.op === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const dockerfile = parseDockerfile(await Deno.readTextFile(`${ROOT}/Dockerfile`));
const ignored = (await Deno.readTextFile(`${ROOT}/.dockerignore`)).split("\n").map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

Deno.test("the runtime stage runs as a non-root user and probes /healthz", () => {
  const runtime = dockerfile.at(-1)!;
  const users = runtime.filter((i) => i.op === "USER").map((i) => i.args);
  assert.ok(users.length > 0, "the runtime stage sets USER");
  assert.ok(!["root", "0", "0:0"].includes(users.at(-1)!), `runs as ${users.at(-1)}`);
  const health = runtime.find((i) => i.op === "HEALTHCHECK");
  assert.ok(health, "the runtime stage has a HEALTHCHECK");
  assert.match(health.args, /\/healthz/);
  assert.match(runtime.find((i) => i.op === "CMD")?.args ?? "", /fresh\.config\.ts", "serve"/);
});

Deno.test("the image installs from deno.json and deno.lock alone, and leaves tests, benches and dev locks out", () => {
  const build = dockerfile[0];
  const install = build.findIndex((i) => i.op === "RUN" && /\bdeno install\b/.test(i.args));
  assert.ok(install > 0, "the build stage runs deno install");
  assert.doesNotMatch(build[install].args, /deno\.dev\.lock|--entrypoint/, "installs the production lock");
  const copiedBefore = build.slice(0, install).filter((i) => i.op === "COPY").map((i) => i.args);
  assert.deepEqual(copiedBefore, ["deno.json deno.lock ./"], "only the config and the production lock");
  for (const path of ["node_modules", "tests", "bench", "deno.dev.lock", "_fresh", "data", ".git"]) {
    assert.ok(ignored.includes(path), `.dockerignore leaves out ${path}`);
  }
});

Deno.test("replayed on the files it copies, the image's install step accepts deno.lock and installs no test tool", async () => {
  const build = dockerfile[0];
  const step = build.find((i) => i.op === "RUN" && /\bdeno install\b/.test(i.args))!.args;
  const dir = await Deno.makeTempDir({ prefix: "proptrade-image-" });
  try {
    for (const file of ["deno.json", "deno.lock"]) await Deno.copyFile(`${ROOT}/${file}`, `${dir}/${file}`);
    // The step as written, resolving only (--lockfile-only): a lock out of step with deno.json fails it.
    const args = [...step.replace(/^deno\s+/, "").split(/\s+/), "--lockfile-only"];
    const out = await new Deno.Command(Deno.execPath(), { args, cwd: dir, stdout: "piped", stderr: "piped" })
      .output();
    assert.ok(out.success, `\`${step}\` fails on the copied files:\n${new TextDecoder().decode(out.stderr)}`);
    const lock: Lock = JSON.parse(await Deno.readTextFile(`${dir}/deno.lock`));
    const names = Object.keys(lock.npm ?? {}).map((key) => key.slice(0, key.indexOf("@", 1)));
    for (const tool of ["playwright-core", "lighthouse", "@20minutes/s3rver", "smtp-server", "fast-check"]) {
      assert.ok(!names.includes(tool), `the image would install ${tool}`);
    }
    assert.ok(names.includes("hono") && names.includes("@electric-sql/pglite"), "but it installs the app's");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the Dockerfile reader joins continued lines, drops comments and splits stages", () => {
  const stages = parseDockerfile("ARG X=1\n# c\nFROM a AS b\nRUN x \\\n  && y\nFROM c\nUSER deno\n");
  assert.deepEqual(stages, [
    [{ op: "FROM", args: "a AS b" }, { op: "RUN", args: "x && y" }],
    [{ op: "FROM", args: "c" }, { op: "USER", args: "deno" }],
  ]);
});
