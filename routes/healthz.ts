import { define } from "./_define.ts";

/** Liveness: the process answers. Touches nothing else, so a slow database never restarts healthy pods. */
export const handler = define.handlers({
  GET() {
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  },
});
