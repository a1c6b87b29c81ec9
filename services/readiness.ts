/**
 * Whether this process can serve: the database, the bus and the object store each answer within 2 s.
 * `GET /readyz` reports it; `/metrics` exposes it as `proptrade_dependency_up`.
 */
import type { Deps } from "./deps.ts";

const TIMEOUT_MS = 2000;

export type Dependency = "db" | "bus" | "storage";

/** Each dependency's state: "ok", or why it is not. */
export async function checkReadiness(
  deps: Pick<Deps, "db" | "bus" | "store">,
): Promise<{ ready: boolean; checks: Record<Dependency, string> }> {
  const [db, bus, storage] = await Promise.all([
    probe(() => deps.db.ping()),
    probe(() => deps.bus.ping()),
    probe(() => deps.store.ping()),
  ]);
  const checks = { db, bus, storage };
  return { ready: Object.values(checks).every((c) => c === "ok"), checks };
}

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
