/**
 * Password hashing: Argon2id with the OWASP minimum (m = 19 MiB, t = 2, p = 1), DESIGN.md §6. The parameters
 * are written into each PHC hash string, so raising them later still verifies old hashes.
 */
import { hash, verify } from "@node-rs/argon2";

/** `Algorithm.Argon2id`; the package declares it as a `const enum`, which isolated modules cannot inline. */
const ARGON2ID = 2;

const PASSWORD_PARAMS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Hashes `password` into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  return await hash(password, PASSWORD_PARAMS);
}

/**
 * Whether `password` matches `hash`. A malformed or non-Argon2 hash counts as a mismatch rather than an
 * error, so a corrupt row cannot turn a login into a 500.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await verify(hash, password);
  } catch {
    return false;
  }
}
