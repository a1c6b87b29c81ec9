/**
 * What the test run may use, read once from the environment.
 *
 * Tests never read `Deno.env` themselves: they ask here, so a service that is absent on a bare machine is
 * skipped with a printed reason, and under CI (where everything must run) the same absence fails the run.
 */
const env = Deno.env.toObject();

export const testEnv = {
  /** Real PostgreSQL; absent → the embedded PGlite database. */
  databaseUrl: env.DATABASE_URL || undefined,
  /** Real Redis; absent → the in-process bus. */
  redisUrl: env.REDIS_URL || undefined,
  /** Set by `.ci/run`: nothing may be skipped. */
  ci: env.CI === "true" || env.CI === "1",
  chromiumPath: env.CHROMIUM_PATH || "/usr/bin/chromium",
} as const;

/**
 * Returns `true` when a test must be ignored because `available` is false, after printing why. Under CI a
 * missing prerequisite is an error instead: CI has every service, so an absence there is a broken set-up.
 *
 * @example
 * Deno.test({ name: "redis bus", ignore: skipUnless(!!testEnv.redisUrl, "REDIS_URL is not set"), fn })
 */
export function skipUnless(available: boolean, reason: string): boolean {
  if (available) return false;
  if (testEnv.ci) throw new Error(`CI must run every test, but: ${reason}`);
  console.warn(`%cskipped: ${reason}`, "color: orange");
  return true;
}

/** Whether a binary can be run (used to decide skips for Chromium, redis-server). */
export function hasBinary(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
