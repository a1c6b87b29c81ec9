/**
 * The few path and directory helpers lib/ needs. deno std is not reachable here (JSR only), and node:path
 * covers paths; only the recursive walk is ours.
 */
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

export { join, relative };

export function toFileUrl(path: string): URL {
  return pathToFileURL(path);
}

interface WalkEntry {
  path: string;
  name: string;
  isFile: boolean;
}

/** Yields every file below `dir` (depth first, sorted); a missing directory yields nothing. */
export async function* walk(dir: string): AsyncGenerator<WalkEntry> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield { path, name: entry.name, isFile: true };
  }
}
