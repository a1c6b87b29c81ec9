/**
 * Keyset cursors of the back office's lists: the last row's sort key, opaque to clients (base64url JSON).
 * A cursor that does not decode to the expected shape is a 400 naming the `cursor` field, never a 500.
 */
import { BadRequest } from "../../lib/errors.ts";

/** Encodes a row's sort key (strings only: timestamps travel as PostgreSQL's own text, so no µs are lost). */
export function encodeCursor(key: readonly string[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

/** A timestamp as PostgreSQL prints `timestamptz::text`, and a uuid: the parts cursors are made of. */
export const CURSOR_PART = {
  at: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  int: /^\d{1,19}$/,
  text: /^[^]{0,400}$/,
} as const;

/**
 * Decodes a cursor made by `encodeCursor` whose parts match `parts` (one pattern each, so nothing reaches a
 * query cast that would fail there); 400 for anything else.
 */
export function decodeCursor(cursor: string, parts: readonly RegExp[]): string[] {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const key = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (
      Array.isArray(key) && key.length === parts.length &&
      key.every((v, i) => typeof v === "string" && parts[i].test(v))
    ) return key;
  } catch { /* answered below */ }
  throw new BadRequest("The cursor is not valid.", { cursor: "is not a cursor from this list" });
}
