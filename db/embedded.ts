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
  stop(): Promise<void>;
};

/**
 * Starts PGlite on `dataDir` (`memory://` for a throwaway database, otherwise the data lives in
 * `${dataDir}/pg`, created if missing) and listens on 127.0.0.1 with an OS-chosen port.
 *
 * The socket server accepts one connection and PGlite runs one query at a time, so clients must use a pool of
 * one connection (`max: 1`).
 */
export async function startEmbedded(dataDir: string): Promise<EmbeddedServer> {
  let location = dataDir;
  if (!dataDir.startsWith("memory://")) {
    location = `${dataDir.replace(/\/+$/, "")}/pg`;
    await Deno.mkdir(location, { recursive: true });
  }
  // pg_trgm: the user search's trigram index (migration 017), as on a real server.
  const pg = await PGlite.create(location, { extensions: { pg_trgm } });
  // Clients use one connection; the spare slot only lets a reconnect in before the dead one is reaped.
  const server = new PGLiteSocketServer({ db: pg, host: "127.0.0.1", port: 0, maxConnections: 2 });
  try {
    await server.start();
  } catch (err) {
    await pg.close();
    throw err;
  }
  // The bound port is only exposed through the "host:port" connection string.
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(":") + 1));
  let stopped: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await pg.close();
      })();
      return stopped;
    },
  };
}
