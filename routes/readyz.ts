import { define } from "./_define.ts";
import { checkReadiness } from "../services/readiness.ts";

/** Readiness: the database and the bus answer within 2 s each; otherwise 503 with the reasons. */
export const handler = define.handlers({
  async GET(ctx) {
    const { db, bus, store } = ctx.state.deps;
    const { ready, checks } = await checkReadiness(ctx.state.deps);
    return Response.json(
      {
        status: ready ? "ready" : "unavailable",
        checks,
        mode: { db: db.kind, bus: bus.kind, storage: store.kind },
      },
      { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  },
});
