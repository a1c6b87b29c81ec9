/**
 * The benches' command-line flags, read one way: `node:util` parseArgs in strict mode, each flag declared
 * with its kind and default. An unknown flag, a flag without its value (or with one it does not take), a
 * stray argument, a number that is not one, or a word outside a flag's choices stops the bench with a
 * message naming it: a bench never measures a configuration it was not asked for. `--help` prints the
 * declared flags with their defaults (the bench's header comment says what each one does).
 *
 * @example
 * const flags = benchFlags({
 *   accounts: flag.number(1000), // --accounts=N, 1000 when absent
 *   batch: flag.numbers([1, 10]), // --batch=1,10,50: one measurement per value
 *   only: flag.someOf(["inproc", "http"]), // --only=http; every choice when absent
 *   staff: flag.boolean(), // --staff
 *   profile: flag.dir(), // --profile=<dir>; undefined when absent
 * });
 */
import { parseArgs } from "node:util";

/** A value the bench cannot run with; benchFlags prints it and exits. */
export class FlagError extends Error {}

/** How one flag is read: by parseArgs as text or as a switch, then into its value. */
export interface Flag<T> {
  readonly type: "string" | "boolean";
  /** `raw` is undefined when the flag is absent; throws FlagError on a value it cannot read. */
  readonly read: (raw: string | boolean | undefined, name: string) => T;
  /** The usage line's example value: the default, or what to write (`<n>`, `<dir>`, `user|account`). */
  readonly shows?: string;
}

type Values<S> = { [K in keyof S]: S[K] extends Flag<infer T> ? T : never };

function toNumber(text: string, name: string): number {
  // Number("") is 0 and Number(" ") too: a `--seconds=` that lost its value must not mean zero.
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new FlagError(`--${name} takes a number, not ${JSON.stringify(text)}`);
  return value;
}

/** The comma-separated items of a list flag, trimmed, empty ones dropped. */
function items(text: string): string[] {
  return text.split(",").map((x) => x.trim()).filter(Boolean);
}

function numbers(text: string, name: string): number[] {
  const list = items(text);
  if (list.length === 0) throw new FlagError(`--${name} takes a comma-separated list of numbers, got none`);
  return list.map((x) => toNumber(x, name));
}

function choice<T extends string>(choices: readonly T[], text: string, name: string): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new FlagError(`--${name} takes one of ${choices.join(", ")}, not ${JSON.stringify(text)}`);
  }
  return text as T;
}

function number(): Flag<number | undefined>;
function number(dflt: number): Flag<number>;
function number(dflt?: number): Flag<number | undefined> {
  return {
    type: "string",
    read: (raw, name) => raw === undefined ? dflt : toNumber(raw as string, name),
    shows: dflt === undefined ? "<n>" : String(dflt),
  };
}

function oneOf<const T extends string>(choices: readonly T[]): Flag<T | undefined>;
function oneOf<const T extends string>(choices: readonly T[], dflt: T): Flag<T>;
function oneOf<const T extends string>(choices: readonly T[], dflt?: T): Flag<T | undefined> {
  return {
    type: "string",
    read: (raw, name) => raw === undefined ? dflt : choice(choices, raw as string, name),
    shows: choices.join("|") + (dflt === undefined ? "" : ` (default ${dflt})`),
  };
}

/** The flags' kinds. Each is `--name=value` except `boolean`, a switch given alone (`--staff`). */
export const flag = {
  /** A finite number; `dflt` when absent (undefined without one). */
  number,
  /** A comma-separated list of numbers (`--batch=1,10,50`). */
  numbers: (dflt: readonly number[]): Flag<number[]> => ({
    type: "string",
    read: (raw, name) => raw === undefined ? [...dflt] : numbers(raw as string, name),
    shows: dflt.join(","),
  }),
  /** A directory to write to; undefined when absent. */
  dir: (): Flag<string | undefined> => ({
    type: "string",
    read: (raw) => raw as string | undefined,
    shows: "<dir>",
  }),
  /** Free text (a name or a prefix); undefined when absent. */
  text: (shows: string): Flag<string | undefined> => ({
    type: "string",
    read: (raw) => raw as string | undefined,
    shows,
  }),
  /** One of `choices`; `dflt` when absent (undefined without one). */
  oneOf,
  /** A comma-separated subset of `choices`, maybe empty (`--faults=`: none); all of them when absent. */
  someOf: <const T extends string>(choices: readonly T[]): Flag<T[]> => ({
    type: "string",
    read: (raw, name) =>
      raw === undefined ? [...choices] : items(raw as string).map((x) => choice(choices, x, name)),
    shows: choices.join(","),
  }),
  /** A switch: true when given. */
  boolean: (): Flag<boolean> => ({ type: "boolean", read: (raw) => raw === true }),
};

/** Reads `args` against `spec`; throws FlagError naming the first flag it cannot read. */
export function parseFlags<const S extends Record<string, Flag<unknown>>>(
  spec: S,
  args: string[],
): Values<S> {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(spec).map(([name, f]) => [name, { type: f.type }]));
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs' own TypeErrors (ERR_PARSE_ARGS_*) already say which argument and why.
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS_")) {
      throw new FlagError((error as Error).message);
    }
    throw error;
  }
  return Object.fromEntries(
    Object.entries(spec).map(([name, f]) => [name, f.read(values[name], name)]),
  ) as Values<S>;
}

/** The declared flags, one a line, as `--help` and a refusal print them. */
export function usage(spec: Record<string, Flag<unknown>>, script = mainScript()): string {
  const lines = Object.entries(spec).map(([name, f]) =>
    `  --${name}${f.type === "boolean" ? "" : `=${f.shows}`}`
  );
  return `usage: deno run -A ${script} [--flag=value …], defaults shown (what each does: the file's header ` +
    `comment)\n${lines.join("\n")}`;
}

/** This process's main module, relative to the working directory when under it. */
function mainScript(): string {
  const path = new URL(Deno.mainModule).pathname;
  const cwd = `${Deno.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** Stops the bench with `message` (a flag or a combination it cannot run with) and a pointer to `--help`. */
export function refuse(message: string): never {
  console.error(`${mainScript()}: ${message}\n(--help lists its flags)`);
  Deno.exit(2);
}

/**
 * The bench's flags from Deno.args; `--help` prints them and exits 0, a flag it cannot read stops it with
 * exit status 2 before anything has started.
 */
export function benchFlags<const S extends Record<string, Flag<unknown>>>(spec: S): Values<S> {
  if (Deno.args.includes("--help")) {
    console.log(usage(spec));
    Deno.exit(0);
  }
  try {
    return parseFlags(spec, Deno.args);
  } catch (error) {
    if (error instanceof FlagError) refuse(error.message);
    throw error;
  }
}
