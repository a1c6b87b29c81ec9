import type { Signal } from "@preact/signals";
import {
  NAN,
  NEGATIVE_INFINITY,
  NEGATIVE_ZERO,
  POSITIVE_INFINITY,
  TAG_BIGINT,
  TAG_DATE,
  TAG_SIGNAL,
  UNDEFINED,
} from "../serial_format.ts";

const CONSTANTS: Record<number, unknown> = {
  [UNDEFINED]: undefined,
  [NAN]: NaN,
  [POSITIVE_INFINITY]: Infinity,
  [NEGATIVE_INFINITY]: -Infinity,
  [NEGATIVE_ZERO]: -0,
};

/**
 * Revives a payload written by `lib/serialize.ts`. Each entry is decoded once, so values shared on the
 * server (a signal given to two islands) are shared in the browser too.
 */
export function deserialize(json: string, makeSignal: (value: unknown) => Signal): unknown {
  const entries: unknown[] = JSON.parse(json);
  const decoded = new Map<number, unknown>();

  function revive(index: number): unknown {
    if (index < 0) return CONSTANTS[index];
    if (decoded.has(index)) return decoded.get(index);
    const entry = entries[index];
    if (entry === null || typeof entry !== "object") return entry;

    if (Array.isArray(entry)) {
      const tag = entry[0];
      if (tag === TAG_DATE) return remember(index, new Date(entry[1]));
      if (tag === TAG_BIGINT) return remember(index, BigInt(entry[1]));
      if (tag === TAG_SIGNAL) {
        const sig = remember(index, makeSignal(undefined)) as Signal;
        sig.value = revive(entry[1]);
        return sig;
      }
      const list = remember(index, []) as unknown[];
      for (const item of entry) list.push(revive(item));
      return list;
    }

    const obj = remember(index, {}) as Record<string, unknown>;
    for (const [key, item] of Object.entries(entry)) obj[key] = revive(item as number);
    return obj;
  }

  function remember(index: number, value: unknown): unknown {
    decoded.set(index, value);
    return value;
  }

  return revive(0);
}
