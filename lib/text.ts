/**
 * What text the app accepts. Control characters are refused at the door: PostgreSQL `text` cannot store
 * a NUL at all (a 500 before this), `jsonb` cannot store a lone surrogate, and the rest (bell, escape,
 * backspace, DEL, the C1 block) only ever serve to hide or forge what a reader sees in a page, a log line
 * or a mail. `validate()` applies `unsafeTextErrors` to every input it sees; schemas add `singleLine()` or
 * `multiLine()` for the fields they own, which also stops inputs that do not pass through `validate()`.
 */
import { z } from "zod";
import type { FieldErrors } from "./errors.ts";

/** C0 controls except tab, newline and carriage return; DEL; C1 controls; the noncharacters U+FFFE/U+FFFF. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;
/** Tab, newline and carriage return: fine in a message, not in a name, an id or an email. */
const LINE_BREAK = /[\t\n\r]/;

const CONTROL_MESSAGE = "must not contain control characters";
const LINE_MESSAGE = "must be one line (no tabs or line breaks)";
const UNICODE_MESSAGE = "must be valid Unicode text (it has a lone surrogate)";

/** Why `value` is not acceptable text anywhere in the app, or null when it is. */
export function textProblem(value: string): string | null {
  if (CONTROL.test(value)) return CONTROL_MESSAGE;
  if (!value.isWellFormed()) return UNICODE_MESSAGE;
  return null;
}

/** At most this many offending paths are named (a body full of NULs needs no 10,000-entry answer). */
const MAX_REPORTED = 20;

/**
 * Every string in `input` — at any depth, object keys included — checked with `textProblem`: the paths of
 * the offending ones (`"phases.1.name"`; a bad key is shown escaped), or null when all are clean. The walk
 * is iterative: a body nested 30,000 levels deep must be a 422, not a stack overflow.
 */
export function unsafeTextErrors(input: unknown): FieldErrors | null {
  const fields: FieldErrors = {};
  let found = 0;
  const stack: [unknown, string][] = [[input, ""]];
  while (stack.length > 0 && found < MAX_REPORTED) {
    const [value, path] = stack.pop()!;
    if (typeof value === "string") {
      const problem = textProblem(value);
      if (problem) {
        fields[shown(path) || "_"] ??= problem;
        found++;
      }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], join(path, String(i))]);
    } else if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const problem = textProblem(key);
        if (problem) {
          fields[shown(join(path, printable(key)))] ??= `${problem} (in the key)`;
          found++;
          continue;
        }
        stack.push([child, join(path, key)]);
      }
    }
  }
  return found > 0 ? fields : null;
}

/**
 * One line of text (names, emails, ids, codes, symbols): no control characters, tab and line breaks
 * included. Chain the field's own rules after it: `singleLine().trim().max(100)`.
 */
export function singleLine(): z.ZodString {
  return z.string()
    .refine((v) => !CONTROL.test(v), CONTROL_MESSAGE)
    .refine((v) => !LINE_BREAK.test(v), LINE_MESSAGE)
    .refine((v) => v.isWellFormed(), UNICODE_MESSAGE);
}

/** Free text that may span lines (a testimonial, a reason): tab and line breaks allowed, other controls not. */
export function multiLine(): z.ZodString {
  return z.string()
    .refine((v) => !CONTROL.test(v), CONTROL_MESSAGE)
    .refine((v) => v.isWellFormed(), UNICODE_MESSAGE);
}

/** A path as an error names it: a very deep one is cut (the start says where it went wrong). */
function shown(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A key as it can be shown in an error: controls and lone surrogates as `\uXXXX` escapes. */
function printable(key: string): string {
  return key.replace(
    // deno-lint-ignore no-control-regex -- as above
    /[\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  ).slice(0, 100);
}
