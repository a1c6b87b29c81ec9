/**
 * The one logger. Production writes one JSON object per line (`{"time","level","msg",...fields}`) for a log
 * collector; development and tests write one readable line. Lines below `LOG_LEVEL` are dropped. Every line
 * written while a request is handled carries that request's id and span (see `withTrace`), without them being
 * passed through every call: they travel with the async context. Fields are masked (services/log_mask.ts):
 * secrets never, emails partly; so is the message of a JSON line.
 *
 * @example
 * const logger = log.child({ scope: "orders" });
 * logger.error("expiring orders failed", { error });
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { isSecretKey, maskText, REDACTED } from "./log_mask.ts";
import { writeStdLine } from "./log_sink.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
type LogFields = Record<string, unknown>;
type LogFormat = "json" | "pretty";

interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** The same logger with `fields` on every line (e.g. `{ scope: "bus" }`). */
  child(fields: LogFields): Logger;
  /**
   * A line logged very often with one message and fixed field names (the access log): the function logs
   * `msg` with `names[i]` set to `values[i]` — the very line `logger[level](msg, fields)` would write, built
   * at a fraction of its cost when the values are flat.
   */
  prepare(level: LogLevel, msg: string, names: readonly string[]): (values: readonly unknown[]) => void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where a finished line goes (default: stdout for debug/info, stderr for warn/error). */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What ties a line to a request: its id (the W3C trace id, services/trace_context.ts) and our span. */
export interface TraceFields {
  requestId: string;
  spanId?: string;
}

const requestContext = new AsyncLocalStorage<TraceFields>();

/** Runs `fn` with `trace` on every line logged inside it, across awaits and tasks it starts. */
export function withTrace<T>(trace: TraceFields, fn: () => T): T {
  return requestContext.run(trace, fn);
}

/** Runs `fn` with `requestId` on every line logged inside it (`withTrace` without a span). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestContext.run({ requestId }, fn);
}

/** The request being handled, if any. */
export function currentTrace(): TraceFields | undefined {
  return requestContext.getStore();
}

/** A logger with its own settings (tests, or a tool that writes elsewhere). Most code uses {@link log}. */
export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const settings = {
    level: options.level ?? "info",
    format: options.format ?? "pretty",
    write: options.write ?? writeStd,
    now: options.now ?? systemNow,
  };
  return loggerOver(() => settings, base);
}

function loggerOver(settings: () => Required<LoggerOptions>, base: LogFields): Logger {
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    const s = settings();
    if (RANK[level] < RANK[s.level]) return;
    const trace = requestContext.getStore();
    const line = s.format === "json"
      ? jsonLine(s.now === systemNow ? isoNow() : s.now().toISOString(), level, msg, base, trace, fields)
      : prettyLine(s.now(), level, msg, { ...base, ...trace, ...fields });
    s.write(line, level);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => loggerOver(settings, { ...base, ...fields }),
    prepare(level, msg, names) {
      const general = (values: readonly unknown[]) => {
        const fields: LogFields = {};
        for (let i = 0; i < names.length; i++) fields[names[i]] = values[i];
        emit(level, msg, fields);
      };
      // What every line shares is written once here; a name the fast way cannot take means the general way.
      const baseText = flatJson(base, undefined, undefined);
      const fieldNamesOf = names.map(fieldName);
      if (
        baseText === null || fieldNamesOf.some((n) => n === null) || names.some((n) => n in base) ||
        new Set(names).size !== names.length
      ) return general;
      const quoted = fieldNamesOf as FieldName[];
      const head = `","level":"${level}","msg":${JSON.stringify(maskText(msg))}${baseText}`;
      return (values) => {
        const s = settings();
        if (RANK[level] < RANK[s.level]) return;
        // A line inside a request carries its trace fields: the general way merges them.
        if (s.format !== "json" || requestContext.getStore() !== undefined) return general(values);
        let line = `{"time":"${s.now === systemNow ? isoNow() : s.now().toISOString()}${head}`;
        for (let i = 0; i < quoted.length; i++) {
          const part = flatValue(quoted[i], values[i]);
          if (part === null) return general(values);
          line += part;
        }
        s.write(line + "}", level);
      };
    },
  };
}

const processSettings: Required<LoggerOptions> = {
  level: "info",
  format: "pretty",
  write: writeStd,
  now: systemNow,
};

/**
 * The process's logger. Until `configureLog` runs (fresh.config.ts does, from the config) it writes readable
 * lines at `info`; the module reads no environment itself.
 */
export const log: Logger = loggerOver(() => processSettings, {});

/**
 * Sets the process logger's level, format and sink (once at start-up; tests may capture lines with `write`).
 * Returns the settings it replaced, so a test can put them back.
 */
export function configureLog(options: LoggerOptions): Required<LoggerOptions> {
  const previous = { ...processSettings };
  Object.assign(
    processSettings,
    Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  );
  return previous;
}

/** The log format an environment gets: JSON lines in production, readable lines elsewhere. */
export function logFormatFor(env: string): LogFormat {
  return env === "production" ? "json" : "pretty";
}

function writeStd(line: string, level: LogLevel): void {
  // The logger is the one place allowed to write to the console (in batches: services/log_sink.ts).
  writeStdLine(line, RANK[level] >= RANK.warn);
}

/** The clock of a logger nobody gave one: lines then take their time from {@link isoNow}. */
function systemNow(): Date {
  return new Date();
}

let isoMs = -1;
let isoText = "";

/** The current time as ISO 8601, formatted once per millisecond however many lines share it. */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

function jsonLine(
  time: string,
  level: LogLevel,
  msg: string,
  base: LogFields,
  trace: TraceFields | undefined,
  fields: LogFields | undefined,
): string {
  // The message is masked too in production; development lines keep it (its mail preview shows the links).
  const flat = flatJson(base, trace, fields);
  if (flat !== null) {
    return `{"time":"${time}","level":"${level}","msg":${JSON.stringify(maskText(msg))}${flat}}`;
  }
  return JSON.stringify({
    time,
    level,
    msg: maskText(msg),
    ...clean({ ...base, ...trace, ...fields }) as LogFields,
  });
}

/**
 * The fields of a line as `,"key":value…`, written directly, when they are flat (strings, numbers, booleans,
 * null) and their names unique — what every access line is; null otherwise, and the line is built the general
 * way (merge, {@link clean}, `JSON.stringify`). Both give the same text: masked strings, redacted secrets,
 * fields in the merged order. Names that would reorder or override (`time`, a repeated name, a name starting
 * with a digit, which JSON objects put first) take the general way.
 */
function flatJson(
  base: LogFields,
  trace: TraceFields | undefined,
  fields: LogFields | undefined,
): string | null {
  let out = "";
  for (const key in base) {
    if ((trace && key in trace) || (fields && key in fields)) return null;
    const part = flatField(key, base[key]);
    if (part === null) return null;
    out += part;
  }
  if (trace) {
    for (const key in trace) {
      if (fields && key in fields) return null;
      const part = flatField(key, (trace as unknown as LogFields)[key]);
      if (part === null) return null;
      out += part;
    }
  }
  for (const key in fields) {
    const part = flatField(key, fields[key]);
    if (part === null) return null;
    out += part;
  }
  return out;
}

/** `,"key":value` for a flat value ("" when JSON leaves it out), or null when it needs the general way. */
function flatField(key: string, value: unknown): string | null {
  const name = fieldName(key);
  return name === null ? null : flatValue(name, value);
}

function flatValue(name: FieldName, value: unknown): string | null {
  if (name.secret) return `,${name.quoted}:"${REDACTED}"`;
  switch (typeof value) {
    case "string":
      return `,${name.quoted}:${JSON.stringify(maskText(value))}`;
    case "number":
      return `,${name.quoted}:${Number.isFinite(value) ? String(value) : "null"}`;
    case "boolean":
      return `,${name.quoted}:${value}`;
    case "bigint":
      return `,${name.quoted}:"${value}"`;
    case "undefined":
    case "function":
    case "symbol":
      return "";
    default:
      return value === null ? `,${name.quoted}:null` : null;
  }
}

interface FieldName {
  quoted: string;
  secret: boolean;
}

/**
 * A field name quoted for JSON and whether its value is a secret ({@link isSecretKey}), remembered: field
 * names are a small fixed set, and each line looks up every one. Null for names the fast way leaves alone.
 */
const fieldNames = new Map<string, FieldName | null>();
function fieldName(key: string): FieldName | null {
  let name = fieldNames.get(key);
  if (name === undefined) {
    const reserved = key === "time" || key === "level" || key === "msg" || /^\d/.test(key);
    name = reserved ? null : { quoted: JSON.stringify(key), secret: secretKey(key) };
    if (fieldNames.size < 10_000) fieldNames.set(key, name);
  }
  return name;
}

function prettyLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const { scope, error, ...rest } = clean(fields) as LogFields;
  const parts = [time.toISOString().slice(11, 23), level.toUpperCase().padEnd(5)];
  if (scope) parts.push(`[${scope}]`);
  parts.push(msg);
  for (const [key, value] of Object.entries(rest)) {
    parts.push(`${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  const line = parts.join(" ");
  // A stack trace is the one thing worth more lines in development.
  if (error === undefined) return line;
  const e = error as { stack?: string; message?: string };
  return `${line} error=${e.stack ?? e.message ?? JSON.stringify(error)}`;
}

/**
 * Fields made safe to write: secrets redacted, emails and credentials in strings masked, errors as
 * `{name, message, stack}`, cycles cut.
 */
function clean(value: unknown, key = "", seen = new WeakSet<object>()): unknown {
  if (key && secretKey(key)) return REDACTED;
  if (typeof value === "string") return maskText(value);
  if (value instanceof Error) {
    const out: LogFields = {
      name: value.name,
      message: maskText(value.message),
      stack: value.stack && maskText(value.stack),
    };
    if (value.cause !== undefined) out.cause = clean(value.cause, "cause", seen);
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => clean(v, "", seen));
  if (value instanceof Date) return value.toISOString();
  // A plain loop, not entries → map → fromEntries: every access-log line comes through here.
  // Null prototype: a field named `__proto__` stays a field, as with fromEntries.
  const out: LogFields = Object.create(null);
  for (const k of Object.keys(value)) out[k] = clean((value as LogFields)[k], k, seen);
  return out;
}

/** {@link isSecretKey}, remembered: field names are a small fixed set, and each line tests every one. */
const secretKeys = new Map<string, boolean>();
function secretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = isSecretKey(key);
    if (secretKeys.size < 10_000) secretKeys.set(key, secret);
  }
  return secret;
}

/**
 * A `(message, error?)` callback — the shape the bus, the limiter, background tasks and the periodic loops
 * take for trouble they cannot throw to a caller — that writes to the process logger under `scope`.
 *
 * @example
 * new BackgroundTasks({ log: reportTo("background") });
 */
export function reportTo(
  scope: string,
  level: LogLevel = "error",
): (message: string, error?: unknown) => void {
  const logger = log.child({ scope });
  return (message, error) => logger[level](message, error == null ? undefined : { error });
}
