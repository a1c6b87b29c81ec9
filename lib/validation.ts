import type { z } from "zod";
import { readBody, type ReadBodyOptions, readText } from "./body.ts";
import { BadRequest, type FieldErrors, HttpError, Unprocessable } from "./errors.ts";
import { unsafeTextErrors } from "./text.ts";

/**
 * Reads and validates a JSON body: 413 past the route's body limit (lib/body.ts), 400 when it is not JSON,
 * 422 naming every invalid field path otherwise. The one way JSON bodies enter the app.
 */
export async function readJson<S extends z.ZodType>(
  req: Request,
  schema: S,
  opts: { optional?: boolean } = {},
): Promise<z.infer<S>> {
  const text = await readText(req);
  // An optional body may be left out entirely (e.g. logout with only a bearer token): it reads as `{}`.
  if (opts.optional && text.trim() === "") return validate(schema, {});
  requireJsonType(req);
  return validate(schema, parseJson(text));
}

/** 400 unless the request says its body is JSON. */
export function requireJsonType(req: Request): void {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new BadRequest("Send the body as application/json.");
}

/**
 * Parses a body already read (routes that verify a signature over the raw text first), 400 when it is not
 * JSON. Validation of the parsed value is the caller's: {@link validate} or a schema of its own.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest("The body is not valid JSON.");
  }
}

/**
 * Validates any input (query, form data, parsed JSON) against `schema`, throwing a 422 with field paths.
 * Control characters and lone surrogates anywhere in the input (keys included) are refused first, whatever
 * the schema says: no string that PostgreSQL cannot store, or that hides what a reader sees, gets further.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const unsafe = unsafeTextErrors(input);
  if (unsafe) throw new Unprocessable(unsafe);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new Unprocessable(fieldErrors(result.error));
}

/** zod issues → `{ "a.b.0": "message" }`, first message per path; `_` for the whole input. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".") || "_";
    fields[path] ??= issueMessage(issue);
  }
  return fields;
}

/**
 * A discriminated union's unknown tag (a staff form's forged intent, an API action) is said in the app's own
 * words, "must be one of a, b, c", like every enum: zod's "Invalid discriminator value. Expected 'a' | …"
 * reached the back office's inline errors and the API's `fields`. Other messages are the schema's own.
 */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_union" && "discriminator" in issue && issue.errors.length === 0) {
    const options = (issue as { options?: unknown }).options;
    if (Array.isArray(options) && options.length > 0) return `must be one of ${options.join(", ")}`;
  }
  return issue.message;
}

/**
 * A field's message as a sentence for a person, under the field's `label`: "is required" after "Password"
 * reads "Password is required."; a message that is a sentence already (capitalised) is kept as it is, with
 * its full stop.
 */
export function fieldSentence(label: string, message: string): string {
  const text = /^[a-z]/.test(message) ? `${label} ${message}` : message;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * `error` with its message said for a person when it is a 422 naming fields: each field's sentence in
 * `labels`' words ("The file must be a JPEG, PNG or PDF file…."), where `Unprocessable` writes the API's
 * "Invalid input: file must be …". Its `fields` stay as they are, for machines. Any other error is returned
 * untouched. For forms whose page (or island) shows the error's message whole.
 */
export function inWords(error: unknown, labels: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof HttpError) || error.status !== 422 || !error.fields) return error;
  const fields = Object.entries(error.fields);
  if (fields.length === 0) return error;
  error.message = fields.map(([field, message]) => fieldSentence(labels[field] ?? field, message)).join(" ");
  return error;
}

/**
 * Reads an urlencoded or multipart form into a plain record of its text fields (files are ignored), at most
 * the route's body limit (413 past it, lib/body.ts). A body that is not a form reads as empty, so validation
 * then names the missing fields.
 */
export async function readForm(req: Request, opts?: ReadBodyOptions): Promise<Record<string, string>> {
  const bytes = await readBody(req, opts);
  let data: FormData;
  try {
    // Parsed from the bytes already counted, never from the client's stream.
    const headers = { "content-type": req.headers.get("content-type") ?? "" };
    data = await new Response(bytes, { headers }).formData();
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, value] of data) if (typeof value === "string" && !(name in out)) out[name] = value;
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID string: anything else can name no row (and would be a database error). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
