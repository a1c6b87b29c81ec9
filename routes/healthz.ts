import { define } from "./_define.ts";

/**
 * Liveness: the process answers. Touches nothing else, so a slow database never restarts healthy pods.
 * The pid lets a supervisor (ops/cluster.ts) tell its own child from another process that holds the port.
 */
export const handler = define.handlers({
  GET() {
    return Response.json({ status: "ok", pid: Deno.pid }, { headers: { "cache-control": "no-store" } });
  },
});
