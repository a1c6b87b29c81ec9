import type { z } from "zod";
import type { Access } from "./access.ts";
import type { Method } from "./define.ts";

/** One API operation, described from the same zod schemas the handler validates with. */
export interface ApiOperation {
  summary: string;
  description?: string;
  tags?: string[];
  access: Access;
  /**
   * `self`: the route is called by machines that authenticate by a request signature (trading connectors,
   * payment webhooks) and enforces budgets of its own, per signed caller; the per-IP API budget would throttle
   * one connector host serving thousands of accounts. Default: the per-IP budget applies.
   */
  rateLimit?: "ip" | "self";
  /** JSON request body schema. `define.api` reads and validates it before the handler runs. */
  body?: z.ZodType;
  /**
   * The handler reads the body itself and `body` only documents it: a signature over the raw bytes (payment
   * webhook, trading sync), or a parser whose field paths the schema cannot give.
   */
  rawBody?: boolean;
  /** How `body` is encoded (default JSON); `multipart/form-data` routes stream it (lib/multipart.ts). */
  bodyMediaType?: "application/json" | "multipart/form-data";
  /** An empty body reads as `{}` (e.g. logout, where the bearer token alone says which session). */
  optionalBody?: boolean;
  /**
   * Largest request body in bytes (lib/body.ts; default 64 KB). Past it the request gets 413 while the body
   * streams, or before a byte is read when `Content-Length` says so. Raise it only for a route that needs it.
   */
  bodyLimit?: number;
  /** Query-string schema (an object of strings). */
  query?: z.ZodType;
  /**
   * Path-parameter schema: a `z.object` naming each `:param` of the route's path. `define.api` checks it
   * first, before the body, and a value it refuses names nothing: the answer is 404 `not_found` with the
   * refusing check's message, so write that message as the one an unknown id gets, e.g.
   * `z.object({ id: z.uuid("No such plan.") })`. A malformed id and an unknown one then cannot be told apart.
   */
  params?: z.ZodType;
  /** Status → description and optional JSON body schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

/** An API route module exports `api = defineApi({ POST: {...} })` beside its `handler`. */
export type ApiSpec = Partial<Record<Method, ApiOperation>>;

export function defineApi<S extends ApiSpec>(spec: S): S {
  return spec;
}

/** The operation a route module declares for `method` (HEAD falls back to GET). */
export function apiOperation(
  module: Readonly<Record<string, unknown>>,
  method: string,
): ApiOperation | undefined {
  const spec = module.api as ApiSpec | undefined;
  if (!spec) return undefined;
  return spec[method as Method] ?? (method === "HEAD" ? spec.GET : undefined);
}
