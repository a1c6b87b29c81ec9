/**
 * Embedded PostgreSQL for machines without a `DATABASE_URL`: PGlite (Postgres compiled to WASM) served over
 * the real wire protocol by pglite-socket, so the app talks to it through the same `postgres` driver and the
 * same SQL as in production. Nothing here is used when a real server is configured.
 */
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** A running PGlite instance and the loopback socket in front of it. */
type EmbeddedServer = {
  host: string;
  port: number;
  /** The whole data directory as a gzipped tarball (PGlite's `dumpDataDir`), for backups. */
  dumpDataDir(): Promise<Blob>;
  stop(): Promise<void>;
};

/** Another process (or another open of the same directory) holds the embedded database. */
export class EmbeddedInUse extends Error {
  constructor(dataDir: string, holder: string) {
    super(
      `The embedded database in ${dataDir} is in use${holder ? ` by process ${holder}` : ""}. ` +
        "PGlite serves one process at a time: stop the app (or the other command) first.",
    );
    this.name = "EmbeddedInUse";
  }
}

/**
 * Takes the exclusive lock on `${dataDir}/embedded.lock` (an advisory `flock`, released when the holder
 * exits, however it exits), or throws `EmbeddedInUse`. PGlite itself does not guard its directory: two
 * processes writing one data directory corrupt it, so the app, `deno task backup` and `restore` all take this.
 */
export async function lockDataDir(dataDir: string): Promise<{ release(): void }> {
  const dir = dataDir.replace(/\/+$/, "");
  await Deno.mkdir(dir, { recursive: true });
  const file = await Deno.open(`${dir}/embedded.lock`, { read: true, write: true, create: true });
  try {
    if (!await file.tryLock(true)) {
      const holder = (await Deno.readTextFile(`${dir}/embedded.lock`).catch(() => "")).trim();
      throw new EmbeddedInUse(dir, holder);
    }
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (error) {
    file.close();
    throw error;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      file.close(); // closing the descriptor drops the flock
    },
  };
}

/**
 * Starts PGlite on `dataDir` (`memory://` for a throwaway database, otherwise the data lives in
 * `${dataDir}/pg`, created if missing, and the directory is locked for this process, see `lockDataDir`) and
 * listens on 127.0.0.1 with an OS-chosen port. `loadDataDir` fills an empty directory from a
 * `dumpDataDir` tarball (restores); PGlite refuses it when the directory already holds a database.
 *
 * The socket server accepts one connection and PGlite runs one query at a time, so clients must use a pool of
 * one connection (`max: 1`).
 */
export async function startEmbedded(
  dataDir: string,
  opts: { loadDataDir?: Blob } = {},
): Promise<EmbeddedServer> {
  let location = dataDir;
  let lock: { release(): void } | undefined;
  if (!dataDir.startsWith("memory://")) {
    lock = await lockDataDir(dataDir);
    location = `${dataDir.replace(/\/+$/, "")}/pg`;
    await Deno.mkdir(location, { recursive: true });
  }
  let pg: PGlite;
  try {
    // pg_trgm: the user search's trigram index (migration 017), as on a real server.
    pg = await PGlite.create(location, {
      extensions: { pg_trgm },
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  // Clients use one connection; the spare slot only lets a reconnect in before the dead one is reaped.
  const server = new PGLiteSocketServer({ db: pg, host: "127.0.0.1", port: 0, maxConnections: 2 });
  try {
    await server.start();
  } catch (err) {
    await pg.close();
    lock?.release();
    throw err;
  }
  // The bound port is only exposed through the "host:port" connection string.
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(":") + 1));
  let stopped: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port,
    dumpDataDir: () => pg.dumpDataDir("gzip"),
    stop() {
      stopped ??= (async () => {
        try {
          await server.stop();
          await pg.close();
        } finally {
          lock?.release();
        }
      })();
      return stopped;
    },
  };
}
