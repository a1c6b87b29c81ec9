/**
 * README, Operating it → Logs: "JSON lines on stdout/stderr in production (ship them with any collector)".
 * The app's own lines about its life — migrations applied, listening, the metrics listener, leadership taken
 * and given up — are what an operator searches for after an incident, so they must be JSON like the rest,
 * not free text a collector files as unparsable.
 */
import assert from "node:assert/strict";
import { skipUnless, testEnv } from "./helpers/env.ts";
import { freePorts } from "./helpers/net.ts";
import { createScratchDb } from "./helpers/scratch_db.ts";
import { waitHealthy } from "../ops/cluster.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test({
  name: "production: every line the served app writes, start to stop, is a JSON log line",
  ignore: skipUnless(!!testEnv.databaseUrl, "DATABASE_URL is not set"),
  async fn() {
    const db = await createScratchDb(testEnv.databaseUrl!, "prod_log_lines");
    const dataDir = await Deno.makeTempDir({ prefix: "proptrade-prod-log-" });
    const [port, metricsPort] = freePorts(2);
    const secret = "s".repeat(40);
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", "fresh.config.ts", "start"],
        cwd: ROOT,
        env: {
          APP_ENV: "production",
          APP_URL: `http://localhost:${port}`,
          PORT: String(port),
          BIND_HOST: "127.0.0.1",
          METRICS_PORT: String(metricsPort),
          METRICS_BIND_HOST: "127.0.0.1",
          DATABASE_URL: db.url,
          REDIS_URL: "",
          DATA_DIR: dataDir,
          JWT_SECRET: secret,
          SYNC_SECRET: secret,
          PAYMENT_WEBHOOK_SECRET: secret,
          KYC_ENCRYPTION_KEY: "ab".repeat(32),
          PRICE_FEED: "off",
          LOG_LEVEL: "",
          ACCESS_LOG: "true",
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = child.output();
      try {
        await waitHealthy(`http://127.0.0.1:${port}/healthz`, child, 120_000, { direct: true });
      } finally {
        child.kill("SIGTERM");
      }
      const out = await output;
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      const lines = text.split("\n").filter((line) => line.trim() !== "");
      const messages = lines.map((line) => {
        let parsed: { level?: unknown; msg?: unknown };
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new assert.AssertionError({ message: `not a JSON line: ${line}\n--- all output:\n${text}` });
        }
        assert.equal(typeof parsed.level, "string", line);
        assert.equal(typeof parsed.msg, "string", line);
        return parsed.msg as string;
      });
      for (
        const expected of [
          /^Applied migrations: 001_core\.sql/,
          /^PropTrade Pro listening on port \d+/,
          /^Metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/,
          /^Cluster leader \(pid \d+\): running /,
          /^Cluster leader \(pid \d+\): stepping down$/,
          /^request$/,
        ]
      ) {
        assert.ok(messages.some((m) => expected.test(m)), `no line matching ${expected} in:\n${text}`);
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await db.drop();
    }
  },
});
