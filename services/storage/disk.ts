/**
 * The disk store, used when no `S3_ENDPOINT` is configured. Layout under `${dataDir}/objects/`:
 *
 * - `data/<key>`: the bytes, at a path that mirrors the key;
 * - `meta/<key>`: a small JSON sidecar (`{"contentType": …}`), in a parallel tree so no key can collide
 *   with another key's sidecar;
 * - `tmp/`: writes land here first and are renamed into place, so a reader never sees half a file.
 *
 * Downloads go through the app: `presignGet` returns a signed `/_objects/…` URL that `serveSignedObject` (serve.ts)
 * answers. A filesystem cannot hold both `a` and `a/b`; putting the second one fails with 409 Conflict.
 */
import { dirname } from "node:path";
import { Conflict } from "../../lib/errors.ts";
import { signObject } from "./signing.ts";
import {
  contentTypeOf,
  DEFAULT_CONTENT_TYPE,
  encodeKeyPath,
  type ObjectStore,
  type StoredObject,
  type StreamedObject,
  toBytes,
  validateExpiry,
  validateKey,
  validatePrefix,
} from "./store.ts";

export { verifyObjectSignature } from "./signing.ts";
export { serveSignedObject } from "./serve.ts";

export interface DiskStoreOptions {
  dataDir: string;
  /** Public origin (and base path) of the app, e.g. `https://app.example.com`; signed URLs start with it. */
  appUrl: string;
  signingSecret: string;
  /** The clock used to compute expiries (tests move it). */
  now?: () => Date;
}

export class DiskStore implements ObjectStore {
  readonly kind = "disk" as const;
  readonly #root: string;
  readonly #appUrl: string;
  readonly #secret: string;
  readonly #now: () => Date;

  constructor(options: DiskStoreOptions) {
    if (!options.signingSecret || options.signingSecret.length < 16) {
      throw new Error("The object signing secret must be at least 16 characters.");
    }
    this.#root = `${options.dataDir.replace(/\/+$/, "")}/objects`;
    this.#appUrl = options.appUrl.replace(/\/+$/, "");
    this.#secret = options.signingSecret;
    this.#now = options.now ?? (() => new Date());
  }

  #data(key: string) {
    return `${this.#root}/data/${key}`;
  }

  #meta(key: string) {
    return `${this.#root}/meta/${key}`;
  }

  async put(key: string, body: Uint8Array | string, opts: { contentType?: string } = {}): Promise<void> {
    const bytes = toBytes(body);
    await this.#write(key, opts, (path) => writeDurably(path, [bytes]));
  }

  putStream(key: string, body: ReadableStream<Uint8Array>, opts: { contentType?: string } = {}) {
    return this.#write(key, opts, (path) => writeDurably(path, body));
  }

  /** Writes the data through `writeData` into a temp file, then moves sidecar and data into place. */
  async #write(key: string, opts: { contentType?: string }, writeData: (path: string) => Promise<number>) {
    validateKey(key);
    const contentType = contentTypeOf(opts);
    const tmp = `${this.#root}/tmp`;
    await Deno.mkdir(tmp, { recursive: true });
    const id = crypto.randomUUID();
    const [tmpData, tmpMeta] = [`${tmp}/${id}.data`, `${tmp}/${id}.meta`];
    try {
      const size = await writeData(tmpData);
      await writeDurably(tmpMeta, [new TextEncoder().encode(JSON.stringify({ contentType }))]);
      // Sidecar first: a reader racing an overwrite may pair new metadata with old bytes for an instant,
      // but never finds bytes without their metadata.
      await moveInto(tmpMeta, this.#meta(key), key);
      await moveInto(tmpData, this.#data(key), key);
      return size;
    } finally {
      await removeIfPresent(tmpData);
      await removeIfPresent(tmpMeta);
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    validateKey(key);
    let body: Uint8Array<ArrayBuffer>;
    try {
      // readFile always returns a fresh ArrayBuffer-backed array; its declared type is just wider.
      body = await Deno.readFile(this.#data(key)) as Uint8Array<ArrayBuffer>;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    return { body, contentType: await this.#contentType(key) };
  }

  async getStream(key: string): Promise<StreamedObject | null> {
    validateKey(key);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#data(key), { read: true });
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const stat = await file.stat();
    if (!stat.isFile) {
      file.close();
      return null;
    }
    return { body: file.readable, contentType: await this.#contentType(key), size: stat.size };
  }

  async #contentType(key: string): Promise<string> {
    try {
      return JSON.parse(await Deno.readTextFile(this.#meta(key))).contentType || DEFAULT_CONTENT_TYPE;
    } catch {
      return DEFAULT_CONTENT_TYPE; // a missing or torn sidecar only costs the content type
    }
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await removeIfPresent(this.#data(key));
    await removeIfPresent(this.#meta(key));
    // Drop directories the key leaves empty, so a later put of a key equal to one of them can succeed.
    await pruneEmptyParents(this.#data(key), `${this.#root}/data`);
    await pruneEmptyParents(this.#meta(key), `${this.#root}/meta`);
  }

  async list(prefix = ""): Promise<string[]> {
    validatePrefix(prefix);
    // Only the directory the prefix names needs walking; its last partial segment is filtered below.
    const dir = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const keys: string[] = [];
    await walk(`${this.#root}/data${dir ? `/${dir}` : ""}`, dir, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    validateKey(key);
    validateExpiry(expiresInSeconds);
    const expires = Math.floor(this.#now().getTime() / 1000) + expiresInSeconds;
    const sig = await signObject(this.#secret, key, expires);
    return `${this.#appUrl}/_objects/${encodeKeyPath(key)}?expires=${expires}&sig=${sig}`;
  }

  async ping(): Promise<void> {
    const probe = `${this.#root}/tmp/ping-${crypto.randomUUID()}`;
    await Deno.mkdir(dirname(probe), { recursive: true });
    await Deno.writeFile(probe, new Uint8Array());
    await Deno.remove(probe);
  }
}

/** A directory at a key's path means other keys live *under* it; the key itself does not exist. */
function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory ||
    error instanceof Deno.errors.NotADirectory || code === "EISDIR" || code === "ENOTDIR";
}

/** Writes `chunks` to a new file (mode 0600) and syncs it; returns the byte count. */
async function writeDurably(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
  using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  let size = 0;
  for await (const bytes of chunks) {
    for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
    size += bytes.length;
  }
  // Without this a crash shortly after the rename can leave a renamed but empty file.
  await file.syncData();
  return size;
}

/** Renames into place, creating parent directories; a parent being a file (or the target a dir) is a 409. */
async function moveInto(from: string, to: string, key: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      await Deno.mkdir(dirname(to), { recursive: true });
      await Deno.rename(from, to);
      return;
    } catch (error) {
      // A concurrent delete may prune the directory between mkdir and rename: try once more.
      if (error instanceof Deno.errors.NotFound && attempt === 0) continue;
      if (
        error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.IsADirectory ||
        error instanceof Deno.errors.NotADirectory || ["EISDIR", "ENOTDIR", "EEXIST", "ENOTEMPTY"]
          .includes((error as { code?: string }).code ?? "")
      ) {
        throw new Conflict(
          `The object key "${key}" clashes with an existing key (a key cannot also be a folder).`,
        );
      }
      throw error;
    }
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function pruneEmptyParents(path: string, stopAt: string): Promise<void> {
  for (let dir = dirname(path); dir.length > stopAt.length && dir.startsWith(stopAt); dir = dirname(dir)) {
    try {
      await Deno.remove(dir); // non-recursive: fails, and stops us, on the first non-empty directory
    } catch {
      return;
    }
  }
}

async function walk(dir: string, keyPrefix: string, into: string[]): Promise<void> {
  let entries: AsyncIterable<Deno.DirEntry>;
  try {
    entries = Deno.readDir(dir);
    for await (const entry of entries) {
      const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(`${dir}/${entry.name}`, key, into);
      else if (entry.isFile) into.push(key);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return;
    throw error;
  }
}
