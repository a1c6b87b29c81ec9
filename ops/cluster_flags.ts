/**
 * `deno task cluster`'s command line and environment, read into startCluster's options (ops/cluster.ts).
 * A flag it cannot read stops it with a message naming the flag, before any process starts: `Number("abc")`
 * used to start no app at all and end in nginx's "no servers are inside upstream", and an unknown flag in
 * parseArgs' stack trace.
 */
import { parseArgs } from "node:util";
import type { ClusterOptions } from "./cluster.ts";

export type ClusterCliOptions = Omit<ClusterOptions, "anchor" | "output" | "log" | "appPorts">;

/** A flag `deno task cluster` cannot run with; the command prints it and exits. */
export class ClusterFlagError extends Error {}

function whole(text: string, name: string, min: number, max: number, what: string): number {
  // Number("") is 0: a `--port=` that lost its value must not mean "any port".
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ClusterFlagError(`--${name} takes ${what}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** The options of `deno task cluster [--processes=3] [--port=8000] [--first-app-port=8101] [--proxy-bind=…]`. */
export function clusterCliOptions(
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): ClusterCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        processes: { type: "string", default: "3" },
        port: { type: "string", default: env.PORT || "8000" },
        "first-app-port": { type: "string", default: "8101" },
        "proxy-bind": { type: "string", default: "127.0.0.2" },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = message.match(/Unknown option '([^']+)'/);
    const stray = message.match(/Unexpected argument '([^']+)'/);
    throw new ClusterFlagError(
      unknown
        ? `unknown flag ${unknown[1]} (use --processes, --port, --first-app-port, --proxy-bind)`
        : stray
        ? `unexpected argument ${JSON.stringify(stray[1])}: flags are written --name=value`
        : message,
    );
  }
  const processes = whole(values.processes, "processes", 1, 64, "a whole number from 1 to 64");
  const port = whole(values.port, "port", 1, 65535, "a port (1–65535)");
  const firstAppPort = whole(
    values["first-app-port"],
    "first-app-port",
    1,
    65535 - processes + 1,
    "a port (1–65535)",
  );
  const dataDir = (env.DATA_DIR || "data").replace(/\/+$/, "").replace(/^\.\//, "");
  return {
    processes,
    port,
    // nginx, the cluster's only public listener, takes BIND_HOST; unset, it stays on loopback (the apps
    // always listen on 127.0.0.1). It used to honour 0.0.0.0 only, so BIND_HOST=10.0.0.5 meant loopback.
    host: env.BIND_HOST || "127.0.0.1",
    firstAppPort,
    proxyBind: values["proxy-bind"],
    // The child inherits this process's environment, but startCluster names APP_URL for it (nginx's
    // address when the operator set none), which would replace the operator's public one.
    env: env.APP_URL ? { APP_URL: env.APP_URL } : {},
    superviseApps: true,
    runDir: `${dataDir.startsWith("/") ? "" : cwd + "/"}${dataDir}/cluster`,
  };
}
