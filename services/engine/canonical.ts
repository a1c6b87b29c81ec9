/**
 * Canonical JSON and a synchronous SHA-256, for breach evidence: the same inputs must always give the same
 * bytes (and so the same hash) on any machine, so a verdict can be replayed and checked later.
 */
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted (recursively) and no whitespace. Only plain JSON values are accepted: a
 * bigint, a non-finite number, a function or `undefined` inside an array throws, because each has no single
 * canonical spelling (money must be converted to its decimal string first). `undefined` object members are
 * dropped, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const members = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${members.join(",")}}`;
  }
  throw new TypeError(`canonicalJson: unsupported ${typeof value} value`);
}

/** Hex SHA-256 of a UTF-8 string, synchronously (the engine core stays synchronous and pure). */
export function sha256HexSync(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
