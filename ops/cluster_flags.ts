/**
 * `deno task cluster`'s command line and environment, read into startCluster's options (ops/cluster.ts).
 */
import { parseArgs } from "node:util";
import type { ClusterOptions } from "./cluster.ts";

export type ClusterCliOptions = Omit<ClusterOptions, "anchor" | "output" | "log" | "appPorts">;

/** The options of `deno task cluster [--processes=3] [--port=8000] [--first-app-port=8101] [--proxy-bind=…]`. */
export function clusterCliOptions(
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): ClusterCliOptions {
  const { values } = parseArgs({
    args,
    options: {
      processes: { type: "string", default: "3" },
      port: { type: "string", default: env.PORT ?? "8000" },
      "first-app-port": { type: "string", default: "8101" },
      "proxy-bind": { type: "string", default: "127.0.0.2" },
    },
  });
  const dataDir = (env.DATA_DIR ?? "./data").replace(/\/+$/, "");
  return {
    processes: Number(values.processes),
    port: Number(values.port),
    host: env.BIND_HOST === "0.0.0.0" ? "0.0.0.0" : "127.0.0.1",
    firstAppPort: Number(values["first-app-port"]),
    proxyBind: values["proxy-bind"],
    // The child inherits this process's environment, but startCluster names APP_URL for it (nginx's
    // address when the operator set none), which would replace the operator's public one.
    env: env.APP_URL ? { APP_URL: env.APP_URL } : {},
    superviseApps: true,
    runDir: `${dataDir.startsWith("/") ? "" : cwd + "/"}${dataDir}/cluster`,
  };
}
