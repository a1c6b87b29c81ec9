import { Signal } from "@preact/signals";
import { isValidElement } from "preact";
import {
  NAN,
  NEGATIVE_INFINITY,
  NEGATIVE_ZERO,
  POSITIVE_INFINITY,
  TAG_BIGINT,
  TAG_DATE,
  TAG_SIGNAL,
  UNDEFINED,
} from "./serial_format.ts";

/** A prop that cannot be sent to the browser; the message names the island and the prop path. */
export class SerializationError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "SerializationError";
  }
}

/**
 * Serializes island props into the wire format of `serial_format.ts`. Shared references (and cycles) are
 * kept. `roots` are labelled so errors name where a bad value sits, e.g. `island "Counter" prop "onClick"`.
 *
 * @example
 * const count = signal(1);
 * serialize([{ count }, { count }]); // both islands revive the same signal
 */
export function serialize(root: unknown, rootLabel = "value"): string {
  const entries: unknown[] = [];
  const seen = new Map<unknown, number>();

  function ref(value: unknown, path: string): number {
    switch (typeof value) {
      case "undefined":
        return UNDEFINED;
      case "number":
        if (Number.isNaN(value)) return NAN;
        if (value === Infinity) return POSITIVE_INFINITY;
        if (value === -Infinity) return NEGATIVE_INFINITY;
        if (Object.is(value, -0)) return NEGATIVE_ZERO;
        return push(value);
      case "string":
      case "boolean":
        return push(value);
      case "bigint":
        return push([TAG_BIGINT, value.toString()]);
      case "function":
        throw new SerializationError(path, "functions cannot be sent to the browser");
      case "symbol":
        throw new SerializationError(path, "symbols cannot be sent to the browser");
    }
    if (value === null) return push(null);
    const known = seen.get(value);
    if (known !== undefined) return known;

    const index = entries.push(undefined) - 1;
    seen.set(value, index);
    entries[index] = encodeObject(value as object, path);
    return index;
  }

  function push(entry: unknown): number {
    return entries.push(entry) - 1;
  }

  function encodeObject(value: object, path: string): unknown {
    if (value instanceof Signal) return [TAG_SIGNAL, ref(value.peek(), `${path}.value`)];
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new SerializationError(path, "invalid Date");
      return [TAG_DATE, value.toISOString()];
    }
    if (Array.isArray(value)) return value.map((item, i) => ref(item, `${path}[${i}]`));
    if (isValidElement(value)) {
      throw new SerializationError(
        path,
        "JSX elements cannot be island props; render them inside the island",
      );
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = proto?.constructor?.name ?? "unknown";
      throw new SerializationError(path, `a ${kind} instance cannot be sent to the browser; pass plain data`);
    }
    const out: Record<string, number> = {};
    for (const [key, item] of Object.entries(value)) out[key] = ref(item, `${path}.${key}`);
    return out;
  }

  ref(root, rootLabel);
  return JSON.stringify(entries);
}

const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Makes JSON safe inside a `<script>` element: no `</script>`, no `<!--`, no line separators. These
 * characters only occur inside JSON strings, where the `\uXXXX` escape means the same thing.
 */
export function escapeScriptJson(json: string): string {
  return json.replace(UNSAFE_IN_SCRIPT, (c) => ESCAPES[c]);
}
