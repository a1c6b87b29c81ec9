/**
 * Handlers that receive what their `defineApi` declaration promises: the path params, body and query read and
 * validated once, and the user narrowed by the declared access rule. Routes stop re-parsing their own declaration, and
 * `ctx.state.user!` becomes a typed `user` that authorization (routes/(_http)/authorize.ts) already checked.
 *
 * @example
 * export const api = defineApi({ PUT: { access: "authenticated", body: profileUpdateInput, ... } });
 * export const handler = define.api(api, {
 *   async PUT(ctx, { body, user }) { return Response.json(await updateProfile(deps, user, body)); },
 * });
 *
 * @example
 * // A path parameter: a malformed id answers like an unknown one (404), before the body is read.
 * export const api = defineApi({ DELETE: { access: "authenticated", params: z.object({ id: z.uuid("No such session.") }), ... } });
 * export const handler = define.api(api, { async DELETE(ctx, { params, user }) { … params.id … } });
 */
import type { z } from "zod";
import type { UserFor } from "./access.ts";
import type { ApiOperation, ApiSpec } from "./api.ts";
import type { Context, HandlerByMethod, Method } from "./define.ts";
import { NotFound } from "./errors.ts";
import { readJson, validate } from "./validation.ts";

/** The validated body an operation declares; `undefined` without a schema or when the handler reads it raw. */
type BodyOf<Op> = Op extends { rawBody: true } ? undefined
  : Op extends { body: infer S extends z.ZodType } ? z.infer<S>
  : undefined;

/** The validated query an operation declares; `undefined` without a schema. */
type QueryOf<Op> = Op extends { query: infer S extends z.ZodType } ? z.infer<S> : undefined;

/** The validated path params an operation declares; the raw `ctx.params` record without a schema. */
type ParamsOf<Op> = Op extends { params: infer S extends z.ZodType } ? z.infer<S> : Record<string, string>;

/** The user a handler sees: narrowed by the operation's access rule (see `UserFor`). */
type UserOf<Op, User> = Op extends { access: infer A } ? UserFor<User, A> : User;

type UserOfState<State> = State extends { user: infer U } ? U : never;

/** What an API handler receives beside `ctx`, typed from its operation's declaration. */
export interface ApiInput<Op, User> {
  params: ParamsOf<Op>;
  body: BodyOf<Op>;
  query: QueryOf<Op>;
  user: UserOf<Op, User>;
}

export type ApiHandlerFn<Op, State> = (
  ctx: Context<State>,
  input: ApiInput<Op, UserOfState<State>>,
) => Response | Promise<Response>;

/** One handler per declared method, each typed by its own operation. */
export type ApiHandlers<S extends ApiSpec, State> = { [M in keyof S & Method]: ApiHandlerFn<S[M], State> };

/**
 * Makes `define.api(spec, handlers)` for the app's `State`: the route's handler, whose methods validate the
 * declared input before calling the given handler with it: path params first (404 `not_found` when refused),
 * then the body (through the one body reader, at the declared `bodyLimit`: 413, 400 for non-JSON, 422
 * naming each field), then the query (422).
 */
export function createApiHandlers<State>() {
  return function api<S extends ApiSpec>(
    spec: S,
    handlers: ApiHandlers<S, State>,
  ): HandlerByMethod<never, State> {
    const out: HandlerByMethod<never, State> = {};
    for (const method of Object.keys(handlers) as (keyof S & Method)[]) {
      const op = spec[method] as ApiOperation | undefined;
      // The declaration types each handler's input; here they are all one shape, checked at runtime.
      const handler = handlers[method] as unknown as (
        ctx: Context<State>,
        input: ApiInput<ApiOperation, unknown>,
      ) => Response | Promise<Response>;
      if (!op) throw new Error(`define.api: ${method} has a handler but no declared operation`);
      out[method] = async (ctx) => handler(ctx, await readInput(ctx, op));
    }
    return out;
  };
}

async function readInput<State>(
  ctx: Context<State>,
  op: ApiOperation,
): Promise<ApiInput<ApiOperation, unknown>> {
  // Params first: a request for something that cannot exist is a 404 whatever its body says.
  const params = op.params ? validParams(op.params, ctx.params) : ctx.params;
  const body = op.body && !op.rawBody
    ? await readJson(ctx.req, op.body, { optional: op.optionalBody })
    : undefined;
  const query = op.query ? validate(op.query, Object.fromEntries(ctx.url.searchParams)) : undefined;
  const user = (ctx.state as { user?: unknown }).user ?? null;
  return { params, body, query, user } as ApiInput<ApiOperation, unknown>;
}

/**
 * A path that fails its declared params names nothing, exactly like a well-formed id that matches no row: 404
 * with the failing check's message (which the declaration writes as the unknown-id message), never 422, so
 * ids cannot be probed by their shape.
 */
function validParams(schema: z.ZodType, params: Record<string, string>): unknown {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw new NotFound(result.error.issues[0]?.message);
}
