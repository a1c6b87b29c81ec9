/**
 * Exact arithmetic on decimal strings (prices, rates, volumes) over scaled bigints, rounding half away from
 * zero only where a result is cut to a number of places. Browser-safe and free of packages, so islands and the
 * server compute prices the same way.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Whether `value` is a plain decimal ("1.0850", "-3", not "1e5" or ".5"). */
export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** Decimal places of a plain decimal ("0.001" → 3). */
export function placesOf(value: string): number {
  const m = DECIMAL.exec(value);
  if (!m) throw new RangeError(`not a decimal: ${JSON.stringify(value)}`);
  return m[3]?.length ?? 0;
}

/** `value` × 10^scale as a bigint, rounded half away from zero when `value` has more places. */
export function toScaled(value: string, scale: number): bigint {
  const m = DECIMAL.exec(value);
  if (!m) throw new RangeError(`not a decimal: ${JSON.stringify(value)}`);
  const fraction = m[3] ?? "";
  let units: bigint;
  if (fraction.length <= scale) {
    units = BigInt(m[2] + fraction.padEnd(scale, "0"));
  } else {
    const kept = BigInt(m[2] + fraction.slice(0, scale));
    units = Number(fraction[scale]) >= 5 ? kept + 1n : kept;
  }
  return m[1] ? -units : units;
}

/** `units` / 10^scale as a decimal string with exactly `scale` places (123450n, 2 → "1234.50"). */
export function fromScaled(units: bigint, scale: number): string {
  const sign = units < 0n ? "-" : "";
  const abs = units < 0n ? -units : units;
  if (scale === 0) return `${sign}${abs}`;
  const text = abs.toString().padStart(scale + 1, "0");
  return `${sign}${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

/** a / b rounded half away from zero (b ≠ 0). */
export function divRound(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new RangeError("division by zero");
  const negative = (a < 0n) !== (b < 0n);
  const absA = a < 0n ? -a : a;
  const absB = b < 0n ? -b : b;
  const q = (absA * 2n + absB) / (absB * 2n);
  return negative ? -q : q;
}

function widest(...values: string[]): number {
  return Math.max(...values.map(placesOf));
}

export function addDecimal(a: string, b: string): string {
  const scale = widest(a, b);
  return fromScaled(toScaled(a, scale) + toScaled(b, scale), scale);
}

export function subDecimal(a: string, b: string): string {
  const scale = widest(a, b);
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale);
}

/** a × b rounded to `places` decimals. */
export function mulDecimal(a: string, b: string, places: number): string {
  const sa = placesOf(a);
  const sb = placesOf(b);
  const product = toScaled(a, sa) * toScaled(b, sb); // scale sa + sb
  return fromScaled(divRound(product * 10n ** BigInt(places), 10n ** BigInt(sa + sb)), places);
}

/** a / b rounded to `places` decimals. */
export function divDecimal(a: string, b: string, places: number): string {
  const scale = widest(a, b);
  const numerator = toScaled(a, scale) * 10n ** BigInt(places);
  return fromScaled(divRound(numerator, toScaled(b, scale)), places);
}

/** Compares two decimals: -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const scale = widest(a, b);
  const d = toScaled(a, scale) - toScaled(b, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Whether `value` is a whole multiple of `step` (a price on the tick grid). */
export function onGrid(value: string, step: string): boolean {
  const scale = widest(value, step);
  const s = toScaled(step, scale);
  return s !== 0n && toScaled(value, scale) % s === 0n;
}
