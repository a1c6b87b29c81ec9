import { define } from "./_define.ts";

const TIMEOUT_MS = 2000;

/** Readiness: the database and the bus answer within 2 s each; otherwise 503 with the reasons. */
export const handler = define.handlers({
  async GET(ctx) {
    const { db, bus, store } = ctx.state.deps;
    const checks = {
      db: await probe(() => db.ping()),
      bus: await probe(() => bus.ping()),
      storage: await probe(() => store.ping()),
    };
    const ready = Object.values(checks).every((c) => c === "ok");
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

async function probe(check: () => Promise<void>): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)
      ),
    ]);
    return "ok";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
