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

Deno.test("log: a prepared line is the very line info() writes, inside a request or not", () => {
  const { logger, lines } = capture("debug", "json");
  const http = logger.child({ scope: "http" });
  const names = ["method", "path", "status", "durationMs", "bytes", "token", "userId", "gone", "big", "ok"];
  const values = [
    "GET",
    "/reset?token=abc&x=jane@example.com",
    200,
    1.5,
    NaN,
    "s3cret",
    null,
    undefined,
    7n,
    true,
  ];
  const prepared = http.prepare("info", "request", names);
  const fields = Object.fromEntries(names.map((n, i) => [n, values[i]]));
  prepared(values);
  http.info("request", fields);
  withTrace({ requestId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" }, () => {
    prepared(values);
    http.info("request", fields);
  });
  assert.equal(lines.length, 4);
  assert.equal(lines[0].line, lines[1].line);
  assert.equal(lines[2].line, lines[3].line);
  const entry = JSON.parse(lines[0].line);
  assert.equal(entry.path, "/reset?token=[redacted]&x=j***@example.com");
  assert.equal(entry.token, "[redacted]");
  assert.equal(entry.bytes, null);
  assert.equal(entry.big, "7");
  assert.ok(!("gone" in entry));
  assert.equal(JSON.parse(lines[2].line).requestId, "4bf92f3577b34da6a3ce929d0e0e4736");
  const below = capture("warn", "json");
  below.logger.prepare("info", "request", ["a"])(["x"]);
  assert.equal(below.lines.length, 0, "the level still applies");
});

Deno.test("log: a JSON line's fields keep the merged order and values whichever way it is built", () => {
  const { logger, lines } = capture("debug", "json");
  const time = "2026-01-02T03:04:05.678Z";
  // Flat fields (written directly) and fields that need the general way (a repeated name, a name starting
  // with a digit, a nested object): each line reads as JSON.stringify of {time, level, msg, ...merged}.
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ scope: "a", keep: 1 }, { extra: "x", n: 2.5, t: true, none: null }],
    [{ scope: "a", keep: 1 }, { scope: "b", extra: "x" }],
    [{ scope: "a" }, { "1": "first", z: 2 }],
    [{}, { nested: { deep: [1, "two"] }, n: 1 }],
  ];
  for (const [base, fields] of cases) logger.child(base).info("m", fields);
  cases.forEach(([base, fields], i) => {
    assert.equal(lines[i].line, JSON.stringify({ time, level: "info", msg: "m", ...base, ...fields }));
  });
});
