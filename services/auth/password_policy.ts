/**
 * What a new password must satisfy (sign-up, reset, change). It follows NIST SP 800-63B rather than
 * composition rules: long enough, not known to attackers, not derived from the user's own details — and no
 * demands for digits or symbols, which only push people to `Password1!`.
 */
import { COMMON_PASSWORDS } from "./common_passwords.ts";

export const PASSWORD_MIN_LENGTH = 12;
/** Generous for passphrases; the cap only stops megabyte "passwords" from being hashed. */
export const PASSWORD_MAX_LENGTH = 256;

/** What the user told us about themselves; a password must not be built from it. */
interface PasswordContext {
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** Personal details shorter than this are too likely to occur by chance ("Li", "Bo") to be refused. */
const MIN_PERSONAL_LENGTH = 4;
/** A sequence or repetition shorter than this is ordinary text ("abc" in "fabcraft"). */
const MIN_RUN_LENGTH = 4;
/** A password split into at most this many runs ("qwerty" + "123456") is still guessed at once. */
const MAX_RUNS = 3;

/**
 * Returns why `password` is refused, as a sentence to show the user, or `null` when it is acceptable.
 * Lengths count Unicode code points, so an emoji or a CJK character counts once, as the user sees it.
 *
 * @example
 * const problem = checkPasswordPolicy(input.password, { email: input.email, firstName: input.firstName });
 * if (problem) throw new Unprocessable("password", problem);
 */
export function checkPasswordPolicy(password: string, context: PasswordContext = {}): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}).`;
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return `Use at most ${PASSWORD_MAX_LENGTH} characters (this one has ${length}).`;
  }
  const folded = fold(password);
  if (COMMON_PASSWORDS.has(folded)) {
    return "This password is one of the most common ones, which attackers try first. Choose another.";
  }
  if (emailParts(context.email).some((part) => folded.includes(part))) {
    return "Do not use your email address in your password.";
  }
  if (nameParts(context).some((part) => folded.includes(part))) {
    return "Do not use your name in your password.";
  }
  if (isRepetition(folded) || isSequence(folded)) {
    return "Avoid repeated characters and keyboard or number sequences; a few unrelated words work well.";
  }
  return null;
}

/** Case- and compatibility-folded, so "ＰＡＳＳＷＯＲＤ1234" and "Password1234" compare equal. */
function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

function longEnough(part: string): boolean {
  return [...part].length >= MIN_PERSONAL_LENGTH;
}

/** The local part, and the same without a `+tag` ("jane.doe+shop@x.io" → "jane.doe+shop", "jane.doe"). */
function emailParts(email: string | undefined): string[] {
  if (!email) return [];
  const at = email.lastIndexOf("@");
  const local = fold(at === -1 ? email : email.slice(0, at));
  return [local, local.split("+")[0]].filter(longEnough);
}

/** Each name whole and word by word ("Mary Ann Smith-Jones" → also "mary", "smith", "jones"). */
function nameParts(context: PasswordContext): string[] {
  const parts: string[] = [];
  for (const name of [context.firstName, context.lastName]) {
    if (!name) continue;
    const folded = fold(name).trim();
    parts.push(folded, ...folded.split(/[\s\-'.]+/u));
  }
  return parts.filter(longEnough);
}

/** One short unit repeated throughout: "aaaaaaaaaaaa", "abababababab", "123123123123", "passpasspass". */
function isRepetition(password: string): boolean {
  return /^(.{1,4})\1+$/su.test(password);
}

/**
 * Orderings people walk along: the alphabet, digits (wrapping 9 → 0), keyboard rows and the common
 * diagonal and zig-zag patterns. Each is also walked backwards.
 */
const SEQUENCES = [
  "abcdefghijklmnopqrstuvwxyz",
  "01234567890123456789",
  "qwertyuiop",
  "asdfghjkl;'",
  "zxcvbnm,./",
  "qwertyuiopasdfghjklzxcvbnm",
  "qwertzuiopasdfghjklyxcvbnm",
  "azertyuiopqsdfghjklmwxcvbn",
  "`1234567890-=",
  "~!@#$%^&*()_+",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
  "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
  "1q2w3e4r5t6y7u8i9o0p",
  "q1w2e3r4t5y6u7i8o9p0",
  "a1b2c3d4e5f6g7h8i9",
  "147258369",
  "741852963",
  "159753",
].flatMap((s) => [s, [...s].reverse().join("")]);

/** Whether `text` is one unbroken stretch of a sequence, or of a single repeated character. */
function isRun(text: string): boolean {
  if (/^(.)\1*$/su.test(text)) return true;
  return SEQUENCES.some((sequence) => sequence.includes(text));
}

/**
 * Whether the whole password is made of at most `MAX_RUNS` runs of at least `MIN_RUN_LENGTH` characters
 * each: "123456789012", "qwerty123456", "abcd1234efgh", "zyxwvutsrqpo", "aaaa1111bbbb". Dynamic programming
 * over the end of the last run; passwords are at most 256 code points, so the quadratic cost is small.
 */
function isSequence(password: string): boolean {
  const chars = [...password];
  const fewest: number[] = [0];
  for (let end = 1; end <= chars.length; end++) {
    fewest[end] = Infinity;
    for (let start = 0; start <= end - MIN_RUN_LENGTH; start++) {
      if (fewest[start] + 1 >= fewest[end]) continue;
      if (isRun(chars.slice(start, end).join(""))) fewest[end] = fewest[start] + 1;
    }
  }
  return fewest[chars.length] <= MAX_RUNS;
}
