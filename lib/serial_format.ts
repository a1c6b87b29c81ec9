/**
 * The wire format of island props, shared by the server serializer and the browser reviver.
 *
 * A payload is a JSON array of entries; entry 0 is the root. Values that are referenced more than once
 * (a signal passed to two islands, a shared object) are stored once, so identity survives the trip:
 * one signal on the server stays one signal in the browser.
 *
 * - a string, finite number, boolean or null entry is that value;
 * - an object entry maps each key to an entry index;
 * - an array entry whose first element is a number is a plain array of entry indices;
 * - an array entry whose first element is a string is a tagged value: `["D", iso]` a Date,
 *   `["S", index]` a signal holding that entry, `["B", digits]` a BigInt.
 * A reference may also be one of the negative constants below, for values JSON cannot hold.
 */
export const UNDEFINED = -1;
export const NAN = -2;
export const POSITIVE_INFINITY = -3;
export const NEGATIVE_INFINITY = -4;
export const NEGATIVE_ZERO = -5;

export const TAG_DATE = "D";
export const TAG_SIGNAL = "S";
export const TAG_BIGINT = "B";
