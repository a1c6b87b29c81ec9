/**
 * A seeded pseudo-random generator for the demo world: the same seed gives the same sequence on every
 * machine, so the demo trader's history is reproducible (never use it for anything secret).
 */
import { sha256HexSync } from "../engine/canonical.ts";

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An independent stream named `name` (so adding draws to one part does not shift another's). */
  fork(name: string): Random;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator) keyed with the SHA-256 of `seed`: 128 bits of
 * state, good statistical quality, and only 32-bit integer arithmetic, so results never depend on the host.
 */
export function seededRandom(seed: string): Random {
  const hex = sha256HexSync(seed);
  let a = parseInt(hex.slice(0, 8), 16) | 0;
  let b = parseInt(hex.slice(8, 16), 16) | 0;
  let c = parseInt(hex.slice(16, 24), 16) | 0;
  let d = parseInt(hex.slice(24, 32), 16) | 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of a fresh state are weakly mixed; sfc32's authors discard a few.
  for (let i = 0; i < 12; i++) next();
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    fork: (name) => seededRandom(`${seed}/${name}`),
  };
  return random;
}
