/**
 * Where backups live: a directory (default `DATA_DIR/backups`) or the S3 bucket under `backups/`. Both keep
 * a backup as two entries, the file and its manifest (`<file>.json`, written last), and both stage the file
 * locally first, so a failed or interrupted backup never leaves a complete-looking entry.
 */
import { basename, dirname, join } from "node:path";
import type { ObjectStore } from "../storage/store.ts";
import { type Manifest, MANIFEST_SUFFIX, parseManifest } from "./manifest.ts";

export interface BackupTarget {
  /** For messages: the directory, or `s3:backups/`. */
  readonly where: string;
  /** A local path to write the backup `name` to before `commit`. */
  staging(name: string): Promise<string>;
  /** Files the staged backup under its name, then its manifest (last: the backup now counts). */
  commit(staged: string, manifest: Manifest): Promise<void>;
  /** The complete backups (those with a readable manifest), oldest first. */
  list(): Promise<Manifest[]>;
  /** The backup called `name` as a local file beside its manifest, or null; `release` drops any local copy. */
  fetch(name: string): Promise<{ path: string; manifest: Manifest; release(): Promise<void> } | null>;
  /** Deletes a backup: its manifest first, so a half-deleted backup no longer counts. */
  remove(name: string): Promise<void>;
}

const BACKUP_NAME = /^proptrade-[0-9TZ]+-(postgres|embedded)\.(dump|tar\.gz)$/;
const byTime = (a: Manifest, b: Manifest) =>
  a.createdAt.localeCompare(b.createdAt) || a.file.localeCompare(b.file);

/** Reads the manifest at `path` beside a backup file; null when there is none. */
export async function readManifestFile(path: string): Promise<Manifest | null> {
  try {
    return parseManifest(await Deno.readTextFile(path), path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

export function dirTarget(dir: string): BackupTarget {
  return {
    where: dir,
    async staging(name) {
      await Deno.mkdir(dir, { recursive: true });
      return join(dir, `.${name}.partial`);
    },
    async commit(staged, manifest) {
      await Deno.rename(staged, join(dir, manifest.file));
      const tmp = join(dir, `.${manifest.file}${MANIFEST_SUFFIX}.partial`);
      await Deno.writeTextFile(tmp, JSON.stringify(manifest, null, 2) + "\n");
      await Deno.rename(tmp, join(dir, manifest.file + MANIFEST_SUFFIX));
    },
    async list() {
      const found: Manifest[] = [];
      try {
        for await (const entry of Deno.readDir(dir)) {
          if (!entry.isFile || !BACKUP_NAME.test(entry.name)) continue;
          const manifest = await readManifestFile(join(dir, entry.name + MANIFEST_SUFFIX)).catch(() => null);
          if (manifest?.file === entry.name) found.push(manifest);
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return found.sort(byTime);
    },
    async fetch(name) {
      return await fetchLocal(join(dir, basename(name)));
    },
    async remove(name) {
      await Deno.remove(join(dir, name + MANIFEST_SUFFIX)).catch(ignoreMissing);
      await Deno.remove(join(dir, name)).catch(ignoreMissing);
    },
  };
}

/** A backup file anywhere on disk with its manifest beside it; null when the file does not exist. */
export async function fetchLocal(
  path: string,
): Promise<{ path: string; manifest: Manifest; release(): Promise<void> } | null> {
  const exists = await Deno.stat(path).then((s) => s.isFile, () => false);
  if (!exists) return null;
  const manifest = await readManifestFile(path + MANIFEST_SUFFIX);
  if (!manifest) {
    throw new Error(
      `${path} has no manifest beside it (${basename(path)}${MANIFEST_SUFFIX} in ${dirname(path)})`,
    );
  }
  return { path, manifest, release: () => Promise.resolve() };
}

export function storeTarget(store: ObjectStore, prefix = "backups/"): BackupTarget {
  const key = (name: string) => `${prefix}${name}`;
  return {
    where: `${store.kind}:${prefix}`,
    async staging(name) {
      return await Deno.makeTempFile({ prefix: `${name}.` });
    },
    async commit(staged, manifest) {
      try {
        using file = await Deno.open(staged, { read: true });
        await store.putStream(key(manifest.file), file.readable, { contentType: "application/octet-stream" });
        await store.put(key(manifest.file + MANIFEST_SUFFIX), JSON.stringify(manifest, null, 2) + "\n", {
          contentType: "application/json",
        });
      } finally {
        await Deno.remove(staged).catch(ignoreMissing);
      }
    },
    async list() {
      const keys = new Set(await store.list(prefix));
      const found: Manifest[] = [];
      for (const k of keys) {
        const name = k.slice(prefix.length);
        if (!BACKUP_NAME.test(name) || !keys.has(k + MANIFEST_SUFFIX)) continue;
        const object = await store.get(k + MANIFEST_SUFFIX);
        if (!object) continue;
        try {
          const manifest = parseManifest(new TextDecoder().decode(object.body), k + MANIFEST_SUFFIX);
          if (manifest.file === name) found.push(manifest);
        } catch { /* not ours: never counted, never pruned */ }
      }
      return found.sort(byTime);
    },
    async fetch(name) {
      const object = await store.get(key(basename(name) + MANIFEST_SUFFIX));
      const stream = object && await store.getStream(key(basename(name)));
      if (!object || !stream) return null;
      const manifest = parseManifest(new TextDecoder().decode(object.body), key(name + MANIFEST_SUFFIX));
      const path = await Deno.makeTempFile({ prefix: `${basename(name)}.` });
      const release = () => Deno.remove(path).catch(ignoreMissing);
      try {
        using file = await Deno.open(path, { write: true, truncate: true });
        await stream.body.pipeTo(file.writable, { preventClose: true });
      } catch (error) {
        await release();
        throw error;
      }
      return { path, manifest, release };
    },
    async remove(name) {
      await store.delete(key(name + MANIFEST_SUFFIX));
      await store.delete(key(name));
    },
  };
}

function ignoreMissing(error: unknown) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}
