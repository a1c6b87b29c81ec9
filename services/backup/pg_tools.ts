/**
 * Debian's PostgreSQL client tools (`postgresql-client`), run as child processes for real-server backups.
 *
 * `pg_dump` refuses a server of a newer major version than itself, and `pg_restore` cannot read an archive
 * from a newer `pg_dump`. Debian installs versioned tools side by side under `/usr/lib/postgresql/<major>/bin`,
 * so the tool matching the server's major version is used when installed, else the one on PATH; a client
 * that is too old is refused up front with the package to install.
 */
import type { Sql } from "../../db/client.ts";

type Tool = "pg_dump" | "pg_restore";

/** The server's version, e.g. `{ major: 15, text: "PostgreSQL 15.20" }`. */
export async function serverVersion(sql: Sql): Promise<{ major: number; text: string }> {
  const [row] = await sql<{ num: string; v: string }[]>`
    select current_setting('server_version_num') as num, current_setting('server_version') as v`;
  return { major: Math.floor(Number(row.num) / 10000), text: `PostgreSQL ${row.v.split(" ")[0]}` };
}

/** The binary to run for a server of `serverMajor`, and its version, e.g. `pg_dump (PostgreSQL) 15.20`. */
export async function pickTool(tool: Tool, serverMajor: number): Promise<{ path: string; version: string }> {
  const versioned = `/usr/lib/postgresql/${serverMajor}/bin/${tool}`;
  const path = await Deno.stat(versioned).then(() => versioned, () => tool);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(path, { args: ["--version"], stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${tool} is not installed: apt-get install postgresql-client-${serverMajor}`);
    }
    throw error;
  }
  const version = new TextDecoder().decode(out.stdout).trim().replace(/\s*\(Debian.*$/, "");
  const major = Number(/\) (\d+)/.exec(version)?.[1] ?? NaN);
  if (!(major >= serverMajor)) {
    throw new Error(
      `${version} cannot work with a PostgreSQL ${serverMajor} server: ` +
        `apt-get install postgresql-client-${serverMajor} (the tool must be at least the server's version)`,
    );
  }
  return { path, version };
}

/**
 * libpq arguments for `url`: the password moves to PGPASSWORD so it never shows in the process list.
 */
function connection(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

async function run(
  path: string,
  args: string[],
  env: Record<string, string>,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const out = await new Deno.Command(path, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  })
    .output();
  // Killed by `signal`: its reason says why, not the tool's exit.
  signal?.throwIfAborted();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${what} failed (exit ${out.code}): ${stderr || "no message"}`);
  }
}

/**
 * `pg_dump --format=custom` of the whole database into `file`. With `snapshot` (from `pg_export_snapshot()`
 * in a transaction the caller keeps open) it dumps exactly what that transaction sees. Aborting `signal` stops
 * it (SIGTERM) and rejects with the signal's reason.
 */
export async function pgDump(
  tool: { path: string },
  opts: { url: string; file: string; snapshot?: string; signal?: AbortSignal },
): Promise<void> {
  const { dbname, env } = connection(opts.url);
  const args = ["--format=custom", "--file", opts.file, "--dbname", dbname];
  if (opts.snapshot) args.push(`--snapshot=${opts.snapshot}`);
  await run(tool.path, args, env, "pg_dump", opts.signal);
}

/**
 * `pg_restore` of a custom-format archive into the database at `url`, in one transaction that stops at the
 * first error (all or nothing). Ownership and grants are not restored: the target's own role owns the
 * objects. `clean` first drops the archive's objects that exist (`--clean --if-exists`, for `--force`).
 */
export async function pgRestore(
  tool: { path: string },
  opts: { url: string; file: string; clean: boolean },
): Promise<void> {
  const { dbname, env } = connection(opts.url);
  const args = [
    "--single-transaction",
    "--exit-on-error",
    "--no-owner",
    "--no-privileges",
    "--dbname",
    dbname,
  ];
  if (opts.clean) args.push("--clean", "--if-exists");
  args.push(opts.file);
  await run(tool.path, args, env, "pg_restore");
}
