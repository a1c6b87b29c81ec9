import type { ComponentType } from "preact";
import { dirname } from "node:path";
import { join, relative, toFileUrl, walk } from "./fs.ts";

/** One island component: which file it lives in, which export it is, and its name on the page. */
export interface IslandMeta {
  /** Unique on the page and in the build manifest, e.g. `PlanSwitcher` or `PlanSwitcher_Compact`. */
  name: string;
  /** Absolute path of the island module. */
  file: string;
  /** The chunk key in the build manifest (one chunk per island file). */
  chunk: string;
  exportName: string;
}

/** An island module found on disk, before it is imported. */
interface IslandFile {
  file: string;
  /** Name of the file's default export; named exports get `${base}_${export}`. */
  base: string;
}

const ISLAND_EXT = /\.(tsx|jsx|ts|js)$/;

/**
 * Finds island modules: every file directly under `islands/`-like dirs and every file in a colocated
 * `(_islands)` folder below `routes/`. Names come from the file name; a clash between two folders is
 * resolved with the folder path so names stay stable between builds.
 */
export async function discoverIslands(
  root: string,
  islandDirs: string[],
  routesDir: string,
): Promise<IslandFile[]> {
  const files: string[] = [];
  for (const dir of islandDirs) {
    const top = join(root, dir);
    for await (const entry of walk(top)) {
      // Only files directly under the folder are islands: subfolders (e.g. `islands/live/`) hold browser
      // modules the islands share, which must not become entries of their own.
      if (
        entry.isFile && dirname(entry.path) === top && ISLAND_EXT.test(entry.name) &&
        !/_test\.[jt]sx?$/.test(entry.name)
      ) {
        files.push(entry.path);
      }
    }
  }
  for await (const entry of walk(join(root, routesDir))) {
    if (entry.isFile && ISLAND_EXT.test(entry.name) && entry.path.includes("/(_islands)/")) {
      files.push(entry.path);
    }
  }
  files.sort();

  const byBase = new Map<string, string[]>();
  for (const file of files) {
    const base = pascal(file.slice(file.lastIndexOf("/") + 1).replace(ISLAND_EXT, ""));
    byBase.set(base, [...(byBase.get(base) ?? []), file]);
  }
  const result: IslandFile[] = [];
  for (const [base, clashing] of byBase) {
    for (const file of clashing) {
      const unique = clashing.length === 1
        ? base
        : pascal(relative(root, file).replace(ISLAND_EXT, "").replace(/[^A-Za-z0-9]+/g, "_"));
      result.push({ file, base: unique });
    }
  }
  return result;
}

function pascal(s: string): string {
  return s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join("") ||
    "Island";
}

/**
 * Maps island component functions to their metadata. Route modules import island modules directly; since
 * the registry imports the same files, the component identities match and SSR can recognise them.
 */
export class IslandRegistry {
  readonly #byComponent = new Map<ComponentType<never>, IslandMeta>();

  static async load(files: IslandFile[]): Promise<IslandRegistry> {
    const registry = new IslandRegistry();
    for (const { file, base } of files) {
      const mod = await import(toFileUrl(file).href);
      for (const [exportName, value] of Object.entries(mod)) {
        if (typeof value !== "function") continue;
        const name = exportName === "default" ? base : `${base}_${exportName}`;
        registry.#byComponent.set(value as ComponentType<never>, { name, file, chunk: base, exportName });
      }
    }
    return registry;
  }

  get(component: unknown): IslandMeta | undefined {
    return this.#byComponent.get(component as ComponentType<never>);
  }

  entries(): IterableIterator<[ComponentType<never>, IslandMeta]> {
    return this.#byComponent.entries();
  }
}
