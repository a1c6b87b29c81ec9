/**
 * What a start that fails says before exiting 1 (README, Operating it → Logs): in production one JSON line
 * through the logger, like every other line, with the fields an operator (or an alert on the collector) needs
 * to act — which variables, the problems, where the database is; elsewhere the readable text. The failure may
 * come before the configuration is read (a bad variable), so the format follows APP_ENV as given.
 */
import { CONFIG_VARIABLES, ConfigError } from "./config.ts";
import { KeyMismatch } from "./key_check.ts";
import { isDatabaseUnavailable } from "../db/client.ts";
import { redact } from "./bus/redis.ts";
import { configureLog, log } from "./log.ts";

/** A failed start, described: the line's message, its fields, and the readable text of development. */
export interface StartFailure {
  msg: string;
  fields: Record<string, unknown>;
  text: string;
}

// Refused by the server rather than unreachable, but still DATABASE_URL to fix: wrong password or user, no
// such database.
const DATABASE_URL_CODES = new Set(["28P01", "28000", "3D000"]);

/** Describes `error` for the operator; `env` is the environment the start was given (for DATABASE_URL). */
export function describeStartFailure(error: unknown, env: Record<string, string | undefined>): StartFailure {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigError) {
    return failure("Invalid configuration", {
      variables: variablesIn(error.problems),
      problems: error.problems,
    }, text);
  }
  if (error instanceof KeyMismatch) {
    return failure(
      "The keys cannot read data in this database",
      { variables: variablesIn(error.problems), problems: error.problems },
      text,
    );
  }
  const code = (error as { code?: unknown })?.code;
  if (isDatabaseUnavailable(error) || (typeof code === "string" && DATABASE_URL_CODES.has(code))) {
    const database = env.DATABASE_URL ? redact(env.DATABASE_URL) : undefined;
    return failure(
      "Cannot reach the database",
      { variables: ["DATABASE_URL"], database, error: text },
      [
        `Cannot reach the database at DATABASE_URL${database ? ` (${database})` : ""}: ${text}`,
      ].join(""),
    );
  }
  if (/^Cannot connect to Redis\b/.test(text)) {
    return failure("Cannot reach Redis", { variables: ["REDIS_URL"], error: text }, text);
  }
  return failure(text, { error: error instanceof Error ? error.name : typeof error }, text);
}

function failure(msg: string, fields: Record<string, unknown>, text: string): StartFailure {
  return { msg, fields: { scope: "start", ...fields }, text };
}

/**
 * The configuration's variables to fix in `problems`, each once: the one a problem starts with
 * (`JWT_SECRET: required when APP_ENV=production` is about JWT_SECRET), else every one it names.
 */
function variablesIn(problems: readonly string[]): string[] {
  const known = new Set(CONFIG_VARIABLES);
  const named = problems.flatMap((p) => {
    const subject = /^([A-Z][A-Z0-9_]*):/.exec(p)?.[1];
    return subject && known.has(subject) ? [subject] : p.match(/\b[A-Z][A-Z0-9_]*\b/g) ?? [];
  });
  return [...new Set(named.filter((n) => known.has(n)))];
}

/**
 * Says why the start failed: one JSON error line when `env.APP_ENV` is production, the readable text on
 * stderr otherwise. The caller exits (the logger's buffer is flushed on exit).
 */
export function reportStartFailure(error: unknown, env: Record<string, string | undefined>): void {
  const { msg, fields, text } = describeStartFailure(error, env);
  if (env.APP_ENV !== "production") {
    console.error(text);
    return;
  }
  configureLog({ format: "json" });
  log.error(msg, fields);
}
