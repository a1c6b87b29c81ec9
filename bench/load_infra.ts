/**
 * The private services of the load bench (bench/load.ts), so its faults never touch the machine's shared
 * PostgreSQL and Redis: a PostgreSQL cluster made with initdb in a temporary directory and run with pg_ctl (as
 * the `postgres` user when the bench runs as root: PostgreSQL refuses root), a redis-server on a port of its
 * own, and the anchor — a bare Deno.serve answering the bytes of `/` — for nginx to proxy beside the app.
 */
import { freePort } from "../tests/helpers/net.ts";
import { startRedis, stopRedis } from "../tests/helpers/redis_server.ts";
import { preciseNow } from "../tests/helpers/child_server.ts";
import { get } from "./load_traffic.ts";
import type { FaultWindow } from "./load_report.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PG_BINS = "/usr/lib/postgresql";

async function run(cmd: string[], opts: { user?: string; quiet?: boolean } = {}): Promise<string> {
  const args = opts.user ? ["runuser", "-u", opts.user, "--", ...cmd] : cmd;
  const out = await new Deno.Command(args[0], { args: args.slice(1), stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed:\n${text}`);
  return text;
}

async function pgBin(): Promise<string> {
  const majors: number[] = [];
  for await (const e of Deno.readDir(PG_BINS)) if (/^\d+$/.test(e.name)) majors.push(Number(e.name));
  if (!majors.length) throw new Error(`no PostgreSQL under ${PG_BINS} (apt-get install postgresql)`);
  return `${PG_BINS}/${Math.max(...majors)}/bin`;
}

export interface PrivatePg {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** `pg_ctl stop -m immediate`: as a crash, no shutdown checkpoint; the next start recovers from the WAL. */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops and deletes the cluster. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start in a fresh temporary directory; trust auth on 127.0.0.1 only. */
export async function startPrivatePg(): Promise<PrivatePg> {
  const bin = await pgBin();
  const root = await Deno.makeTempDir({ prefix: "load_pg_" });
  const data = `${root}/data`;
  const user = Deno.uid() === 0 ? "postgres" : undefined;
  if (user) await run(["chown", user, root]);
  await run([`${bin}/initdb`, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], {
    user,
  });
  const port = freePort();
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=300",
    "-c shared_buffers=256MB",
    "-c fsync=on",
    "-c synchronous_commit=on",
  ].join(" ");
  const pg: PrivatePg = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await run(
        [`${bin}/pg_ctl`, "-D", data, "-l", `${root}/log`, "-o", options, "-w", "-t", "60", "start"],
        { user },
      );
    },
    stop: async () => {
      await run([`${bin}/pg_ctl`, "-D", data, "-m", "fast", "-w", "stop"], { user });
    },
    crash: async () => {
      await run([`${bin}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"], { user });
    },
    destroy: async () => {
      await pg.stop().catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
  await pg.start();
  await run([
    `${bin}/psql`,
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-U",
    "postgres",
    "-qc",
    "create database load",
  ]);
  pg.url = `postgres://postgres@127.0.0.1:${port}/load`;
  return pg;
}

export interface PrivateRedis {
  url: string;
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = freePort();
  let child = await startRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      await stopRedis(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await startRedis(port);
    },
    stop: () => stopRedis(child),
  };
}

/** The anchor: a bare Deno.serve in a process of its own answering the bytes of `body` (bench/load_anchor.ts). */
export async function startAnchor(port: number, body: Uint8Array): Promise<Deno.ChildProcess> {
  const file = await Deno.makeTempFile({ prefix: "load_anchor_" });
  await Deno.writeFile(file, body);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./load_anchor.ts", import.meta.url).pathname, String(port), file],
    stdout: "null",
    stdin: "null",
  }).spawn();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.body?.cancel();
      if (res.ok) return child;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("the anchor did not start");
}

/**
 * The PostgreSQL fault: an immediate stop (a crash), 5 s down while every process's `/readyz` (on `ports`) is
 * probed, then a start; its window ends once every process answers `/readyz` 200 again without a restart.
 */
export async function postgresFault(pg: PrivatePg, ports: number[]): Promise<FaultWindow> {
  const w: FaultWindow = { name: "pg", start: preciseNow(), end: 0, notes: [] };
  // Every process's /readyz, probed every 250 ms from the moment PostgreSQL is stopped until it is started.
  const readyz = new Map<number, number>();
  let watching = false;
  let watch: Promise<void> = Promise.resolve();
  // Immediate: no shutdown checkpoint to wait for (as a crash); batches in flight must roll back whole.
  await pg.crash();
  const downAt = preciseNow();
  watching = true;
  watch = (async () => {
    while (watching) {
      const all = await Promise.all(
        ports.map((port) => get(`http://127.0.0.1:${port}/readyz`, {}).catch(() => 0)),
      );
      if (!watching) break;
      for (const s of all) readyz.set(s, (readyz.get(s) ?? 0) + 1);
      await sleep(250);
    }
  })();
  await sleep(5000);
  watching = false;
  await watch;
  await pg.start();
  const upAt = preciseNow();
  // Every process answers /readyz 200 again, without a restart.
  let recovered = NaN;
  while (preciseNow() - upAt < 60_000) {
    const all = await Promise.all(
      ports.map((port) => get(`http://127.0.0.1:${port}/readyz`, {}).catch(() => 0)),
    );
    if (all.every((s) => s === 200)) {
      recovered = preciseNow() - upAt;
      break;
    }
    await sleep(100);
  }
  w.end = preciseNow();
  const statuses = [...readyz].map(([s, n]) => `${s}×${n}`).join(", ");
  w.notes.push(`down ${((upAt - downAt) / 1000).toFixed(1)} s; /readyz while down: ${statuses}`);
  w.notes.push(
    `all processes ready ${(recovered / 1000).toFixed(2)} s after PostgreSQL was back (no restart)`,
  );
  return w;
}
