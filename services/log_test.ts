import assert from "node:assert/strict";
import { createLogger, type LogLevel, withRequestId, withTrace } from "./log.ts";

function capture(level: LogLevel, format: "json" | "pretty") {
  const lines: { level: LogLevel; line: string }[] = [];
  const logger = createLogger({
    level,
    format,
    write: (line, lvl) => lines.push({ level: lvl, line }),
    now: () => new Date("2026-01-02T03:04:05.678Z"),
  });
  return { logger, lines };
}

Deno.test("log: lines below LOG_LEVEL are dropped, so debug noise never floods a production log", () => {
  const { logger, lines } = capture("warn", "json");
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  assert.deepEqual(lines.map((l) => JSON.parse(l.line).msg), ["w", "e"]);
  assert.deepEqual(lines.map((l) => l.level), ["warn", "error"]);
});

Deno.test("log: production lines are one JSON object each, with time, level, msg and the fields", () => {
  const { logger, lines } = capture("debug", "json");
  logger.child({ scope: "bus" }).error("publish failed", { channel: "plans", error: new Error("boom") });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].line.includes("\n"), "one line per entry");
  const entry = JSON.parse(lines[0].line);
  assert.equal(entry.time, "2026-01-02T03:04:05.678Z");
  assert.equal(entry.level, "error");
  assert.equal(entry.msg, "publish failed");
  assert.equal(entry.scope, "bus");
  assert.equal(entry.channel, "plans");
  assert.equal(entry.error.name, "Error");
  assert.equal(entry.error.message, "boom");
  assert.match(entry.error.stack, /log_test\.ts/);
  assert.deepEqual(Object.keys(entry).slice(0, 3), ["time", "level", "msg"]);
});

Deno.test("log: development lines are readable, one line with the level, scope, message and fields", () => {
  const { logger, lines } = capture("debug", "pretty");
  logger.child({ scope: "orders" }).warn("expiry pass slow", { ms: 1200 });
  assert.equal(lines[0].line, "03:04:05.678 WARN  [orders] expiry pass slow ms=1200");
});

Deno.test("log: a password, token or secret passed as a field is redacted, not written to the log", () => {
  const { logger, lines } = capture("debug", "json");
  logger.info("login", {
    email: "a@example.test",
    password: "hunter2-hunter2",
    refreshToken: "rt_secret",
    nested: { authorization: "Bearer abc", totpSecret: "JBSWY3DP", cookie: "pt_access=x" },
  });
  const text = lines[0].line;
  for (const secret of ["hunter2", "rt_secret", "Bearer abc", "JBSWY3DP", "pt_access=x"]) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  const entry = JSON.parse(text);
  assert.equal(entry.email, "a***@example.test", "personal data is masked, not dropped");
  assert.equal(entry.password, "[redacted]");
});

Deno.test("log: emails and bearer tokens inside a message or an error are masked in production lines", () => {
  const { logger, lines } = capture("debug", "json");
  logger.error("mail to jane.doe@example.com failed", {
    url: "/reset-password?token=t0ps3cret",
    error: new Error("401 for Bearer abc.def from jane.doe@example.com"),
  });
  const text = lines[0].line;
  for (const leak of ["jane.doe", "t0ps3cret", "abc.def"]) {
    assert.ok(!text.includes(leak), `${leak}: ${text}`);
  }
  const entry = JSON.parse(text);
  assert.equal(entry.msg, "mail to j***@example.com failed");
  assert.equal(entry.url, "/reset-password?token=[redacted]");
  assert.equal(entry.error.message, "401 for Bearer [redacted] from j***@example.com");
});

Deno.test("log: a line written inside withRequestId carries that id, even after an await", async () => {
  const { logger, lines } = capture("debug", "json");
  await withRequestId("4bf92f3577b34da6a3ce929d0e0e4736", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    logger.info("inside");
  });
  logger.info("outside");
  assert.equal(JSON.parse(lines[0].line).requestId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(JSON.parse(lines[1].line).requestId, undefined);
});

Deno.test("log: a line written inside withTrace carries the request id and our span id", () => {
  const { logger, lines } = capture("debug", "json");
  withTrace(
    { requestId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" },
    () => logger.info("x"),
  );
  const entry = JSON.parse(lines[0].line);
  assert.equal(entry.requestId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(entry.spanId, "00f067aa0ba902b7");
});
