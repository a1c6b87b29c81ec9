/**
 * README, Operating it → Logs: a production start that fails (a bad variable, the database unreachable) says
 * why in one JSON line like every other line, with the fields that say what to fix; development keeps the
 * readable text.
 */
import assert from "node:assert/strict";
import { freePort } from "./helpers/net.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SECRET = "s".repeat(40);

const PRODUCTION = {
  APP_ENV: "production",
  APP_URL: "http://localhost:8000",
  JWT_SECRET: SECRET,
  SYNC_SECRET: SECRET,
  PAYMENT_WEBHOOK_SECRET: SECRET,
  KYC_ENCRYPTION_KEY: "ab".repeat(32),
  REDIS_URL: "",
  PRICE_FEED: "off",
};

/** `fresh.config.ts serve` with `env`: its exit code and every non-empty line it wrote (stdout and stderr). */
async function serve(env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const dataDir = await Deno.makeTempDir({ prefix: "proptrade-start-failure-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", "fresh.config.ts", "serve"],
      cwd: ROOT,
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", DATA_DIR: dataDir, ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { code: out.code, lines: text.split("\n").filter((line) => line.trim() !== "") };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** The one line, parsed; fails showing the output when there is not exactly one JSON line. */
function oneJsonLine(lines: string[]): Record<string, unknown> {
  assert.equal(lines.length, 1, `expected one line, got:\n${lines.join("\n")}`);
  try {
    return JSON.parse(lines[0]);
  } catch {
    throw new assert.AssertionError({ message: `not a JSON line: ${lines[0]}` });
  }
}

Deno.test("production: a bad variable stops the start with one JSON line naming it", async () => {
  const { code, lines } = await serve({
    ...PRODUCTION,
    JWT_SECRET: "too-short",
    DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
  });
  assert.equal(code, 1);
  const line = oneJsonLine(lines);
  assert.equal(line.level, "error");
  assert.equal(line.msg, "Invalid configuration");
  assert.deepEqual(line.variables, ["JWT_SECRET"]);
  assert.deepEqual(line.problems, ["JWT_SECRET: must be at least 32 characters"]);
  assert.ok(!lines[0].includes("too-short"), "the value itself is not logged");
});

Deno.test("production: variables missing for production are listed, each named", async () => {
  const { code, lines } = await serve({ APP_ENV: "production" });
  assert.equal(code, 1);
  const line = oneJsonLine(lines);
  assert.equal(line.level, "error");
  assert.deepEqual(
    line.variables,
    ["JWT_SECRET", "SYNC_SECRET", "DATABASE_URL", "APP_URL", "KYC_ENCRYPTION_KEY", "PAYMENT_WEBHOOK_SECRET"],
  );
});

Deno.test("production: a database that cannot be reached stops the start with one JSON line naming DATABASE_URL", async () => {
  const port = freePort();
  const { code, lines } = await serve({
    ...PRODUCTION,
    DATABASE_URL: `postgres://proptrade:hunter2-secret@127.0.0.1:${port}/proptrade`,
  });
  assert.equal(code, 1);
  const line = oneJsonLine(lines);
  assert.equal(line.level, "error");
  assert.equal(line.msg, "Cannot reach the database");
  assert.deepEqual(line.variables, ["DATABASE_URL"]);
  assert.equal(line.database, `postgres://proptrade:***@127.0.0.1:${port}/proptrade`);
  assert.match(String(line.error), /ECONNREFUSED/);
  assert.ok(!lines[0].includes("hunter2"), "the password is not logged");
});

Deno.test("development: a bad variable is still explained in readable text", async () => {
  const { code, lines } = await serve({ APP_ENV: "development", JWT_SECRET: "too-short" });
  assert.equal(code, 1);
  assert.deepEqual(lines, ["Invalid configuration:", "  - JWT_SECRET: must be at least 32 characters"]);
});
