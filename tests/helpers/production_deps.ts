/**
 * What production may depend on. `deno task start` and the container install every npm package that
 * `deno.lock` holds (Deno installs a lock's whole snapshot, not just what the entry point reaches), so the
 * production lock and the import map it mirrors must hold only what the app runs; tests and benches take
 * their extra packages from tests/deps/ and resolve them with `--lock=deno.dev.lock`.
 *
 * The checks are pure functions over the import graph (tests/helpers/import_graph.ts) and the parsed lock
 * files, so tests/production_deps_test.ts can run them on the real tree and on planted breaches.
 */
import type { ImportGraph } from "./import_graph.ts";

/** Modules inside the application's source roots that exist only for tests (never imported by the app). */
export const TEST_SUPPORT = ["services/storage/testing.ts"];

/** The parts of a deno.lock (v5) these checks read. */
export interface Lock {
  specifiers?: Record<string, string>;
  npm?: Record<string, unknown>;
  workspace?: { dependencies?: string[] };
}

/** `npm:@scope/name@1.2.3/sub` → `@scope/name`; `null` for anything that is not an npm specifier. */
export function npmName(specifier: string): string | null {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)/.exec(specifier);
  return match ? match[1] : null;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function bareName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** True when `specifier` is a key of the import map, or sits under a `prefix/` key. */
function mapped(imports: Record<string, string>, specifier: string): boolean {
  return specifier in imports ||
    Object.keys(imports).some((key) => key.endsWith("/") && specifier.startsWith(key));
}

/**
 * Every import by an application module that production cannot resolve or should not carry: a package
 * outside the import map (a direct `npm:`/`jsr:`/URL specifier, or a bare name the map lacks), a dev-only
 * package, or a test module. Node built-ins (`node:`) and relative imports between app modules are fine.
 */
export function productionImportBreaches(
  graph: ImportGraph,
  imports: Record<string, string>,
  devPackages: ReadonlySet<string>,
): string[] {
  const breaches: string[] = [];
  for (const [file, edges] of graph) {
    if (TEST_SUPPORT.includes(file)) continue;
    for (const { specifier, target } of edges) {
      if (target !== null) {
        if (target.startsWith("tests/") || /_test\.tsx?$/.test(target) || TEST_SUPPORT.includes(target)) {
          breaches.push(`${file} imports "${specifier}", a test module`);
        }
        continue;
      }
      if (specifier.startsWith("node:")) continue;
      if (devPackages.has(npmName(specifier) ?? bareName(specifier))) {
        breaches.push(`${file} imports "${specifier}", a dev-only package (tests/deps/)`);
      } else if (!mapped(imports, specifier)) {
        breaches.push(`${file} imports "${specifier}", which is not in deno.json's import map`);
      }
    }
  }
  return breaches;
}

/** The tarball hash of a lock entry (its dependency list is written differently when versions differ). */
function integrity(entry: unknown): unknown {
  return (entry as { integrity?: string } | null)?.integrity;
}

/** Package name of a lock's npm key: `@scope/name@1.2.3_peer@4` → `@scope/name`. */
function lockedName(key: string): string {
  return key.slice(0, key.indexOf("@", 1));
}

/**
 * Why `prod` (deno.lock) is not the production lock it must be: dev-only packages in it, specifiers the
 * import map does not name, or packages pinned differently from `dev` (deno.dev.lock), which tests run on.
 */
export function productionLockBreaches(
  prod: Lock,
  dev: Lock,
  imports: Record<string, string>,
  devPackages: ReadonlySet<string>,
): string[] {
  const breaches: string[] = [];
  const mapValues = new Set(Object.values(imports).filter((v) => v.startsWith("npm:")));
  for (const specifier of Object.keys(prod.specifiers ?? {})) {
    if (!mapValues.has(specifier)) {
      breaches.push(`deno.lock resolves ${specifier}, which deno.json's import map does not name`);
    }
  }
  for (const key of Object.keys(prod.npm ?? {})) {
    if (devPackages.has(lockedName(key))) breaches.push(`deno.lock holds the dev-only package ${key}`);
    const devEntry = dev.npm?.[key];
    if (devEntry === undefined) {
      breaches.push(`deno.lock holds ${key}, which deno.dev.lock lacks: tests would run on other versions`);
    } else if (integrity(devEntry) !== integrity(prod.npm![key])) {
      breaches.push(`deno.lock and deno.dev.lock pin ${key} differently`);
    }
  }
  return breaches;
}

/**
 * Dependencies a lock names ambiguously. Deno writes a dependency without its version when the lock holds
 * one version of that package; a hand-merged lock can hold two under the same bare name, and then processes
 * sharing one node_modules link it to either version in turn (a module loaded meanwhile fails with NotFound).
 */
export function lockAmbiguities(lock: Lock, file: string): string[] {
  const versions = new Map<string, string[]>();
  for (const key of Object.keys(lock.npm ?? {})) {
    const name = lockedName(key);
    versions.set(name, [...versions.get(name) ?? [], key]);
  }
  const breaches: string[] = [];
  for (const [key, entry] of Object.entries(lock.npm ?? {})) {
    const deps = (entry as { dependencies?: string[] } | null)?.dependencies ?? [];
    for (const dep of deps) {
      const held = versions.get(dep) ?? [];
      if (held.length > 1) {
        breaches.push(
          `${file}: ${key} depends on ${dep}, of which it holds ${held.join(", ")}; rebuild it with deno`,
        );
      }
    }
  }
  return breaches;
}

/** The dev-only packages: every `npm:` specifier written in a module under tests/deps/, by name. */
export function devPackagesOf(depsModules: Iterable<string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const source of depsModules) {
    for (const match of source.matchAll(/["'](npm:[^"']+)["']/g)) {
      const name = npmName(match[1]);
      if (name) found.set(name, match[1]);
    }
  }
  return found;
}
