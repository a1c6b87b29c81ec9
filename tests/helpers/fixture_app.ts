import { build } from "../../lib/build.ts";
import { createFreshApp, type FreshApp } from "../../lib/app.ts";
import type { State } from "../fixtures/basic/state.ts";

export const FIXTURE_ROOT = new URL("../fixtures/basic/", import.meta.url).pathname.replace(/\/$/, "");

/** Errors the fixture app reported (its 500 tests throw on purpose). */
export const reportedErrors: unknown[] = [];

let built: Promise<FreshApp> | null = null;

/** The lib test app (tests/fixtures/basic), built once per test process. */
export function fixtureApp(): Promise<FreshApp> {
  built ??= (async () => {
    const manifest = await build({ root: FIXTURE_ROOT, inputDirs: ["routes", "islands"] });
    return await createFreshApp<State>({
      root: FIXTURE_ROOT,
      manifest,
      initialState: () => ({ trail: [] }),
      onError: (error) => reportedErrors.push(error),
    });
  })();
  return built;
}
