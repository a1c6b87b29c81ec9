/**
 * The manifest written beside every backup (`<file>.json`): what it is, how to check it and what the database
 * held. It is written last, so a backup without one is unfinished and never restored or counted.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { DatabaseFacts } from "./facts.ts";

export const MANIFEST_FORMAT = "proptrade-backup/1";
export const MANIFEST_SUFFIX = ".json";

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  /** The backup's file name, e.g. `proptrade-20260102T030405Z-postgres.dump`. */
  file: z.string().regex(/^[A-Za-z0-9._-]+$/),
  createdAt: z.iso.datetime(),
  /** `postgres`: `pg_dump --format=custom`; `embedded`: PGlite's gzipped data-directory tarball. */
  kind: z.enum(["postgres", "embedded"]),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The tool that wrote it and the server it read, e.g. `pg_dump (PostgreSQL) 15.20` / `PostgreSQL 15.20`. */
  tool: z.string(),
  server: z.string(),
  schemaVersion: z.string().nullable(),
  rowCounts: z.record(z.string(), z.number().int().min(0)),
  ledger: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), tables: z.array(z.string()) }),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** Parses a manifest's JSON text; throws an error naming the file when it is not one of ours. */
export function parseManifest(text: string, source: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not a backup manifest (not JSON)`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`${source} is not a valid backup manifest: ${problems.join("; ")}`);
  }
  return parsed.data;
}

export function manifestOf(
  file: { name: string; size: number; sha256: string },
  meta: { createdAt: Date; kind: Manifest["kind"]; tool: string; server: string },
  facts: DatabaseFacts,
): Manifest {
  return {
    format: MANIFEST_FORMAT,
    file: file.name,
    createdAt: meta.createdAt.toISOString(),
    kind: meta.kind,
    size: file.size,
    sha256: file.sha256,
    tool: meta.tool,
    server: meta.server,
    schemaVersion: facts.schemaVersion,
    rowCounts: facts.rowCounts,
    ledger: facts.ledger,
  };
}

/** Size and SHA-256 of a local file, read as a stream. */
export async function digestFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  using file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Throws unless the file at `path` is the one the manifest describes: the same size and SHA-256. Run before
 * anything is restored, so a truncated or altered file changes nothing.
 */
export async function verifyFile(path: string, manifest: Manifest): Promise<void> {
  const { size, sha256 } = await digestFile(path);
  if (size !== manifest.size || sha256 !== manifest.sha256) {
    throw new Error(
      `Backup ${manifest.file} is damaged: sha256 mismatch (manifest ${manifest.sha256.slice(0, 12)}…, ` +
        `${manifest.size} bytes; file ${sha256.slice(0, 12)}…, ${size} bytes). Nothing was restored.`,
    );
  }
}

/**
 * Names the differences between what a manifest recorded and what a restored database holds (empty when the
 * copy is exact): every table's row count, the schema version and the ledger checksum.
 */
export function compareFacts(manifest: Manifest, facts: DatabaseFacts): string[] {
  const problems: string[] = [];
  if (facts.schemaVersion !== manifest.schemaVersion) {
    problems.push(`schema version ${facts.schemaVersion} ≠ ${manifest.schemaVersion}`);
  }
  const tables = new Set([...Object.keys(manifest.rowCounts), ...Object.keys(facts.rowCounts)]);
  for (const table of [...tables].sort()) {
    const want = manifest.rowCounts[table];
    const got = facts.rowCounts[table];
    if (want !== got) problems.push(`${table}: ${got ?? "missing"} rows, the backup had ${want ?? "none"}`);
  }
  if (facts.ledger.sha256 !== manifest.ledger.sha256) {
    problems.push(
      `ledger checksum ${facts.ledger.sha256.slice(0, 12)}… ≠ ${manifest.ledger.sha256.slice(0, 12)}…`,
    );
  }
  return problems;
}
