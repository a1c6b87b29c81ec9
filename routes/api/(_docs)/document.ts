import type { Context } from "../../../lib/define.ts";
import { buildOpenApi, type OpenApiDocument } from "../../../lib/openapi.ts";
import { cookieNames, secureCookies } from "../../(_http)/auth_cookies.ts";
import type { State } from "../../_define.ts";

// Built once per route table: the routes cannot change while the process runs.
const built = new WeakMap<object, OpenApiDocument>();

/** The API description generated from every route's `api` declaration (the same zod schemas that validate). */
export function apiDocument(ctx: Context<State>): OpenApiDocument {
  let doc = built.get(ctx.routes);
  if (!doc) {
    const { config } = ctx.state.deps;
    doc = buildOpenApi(
      [...ctx.routes],
      {
        title: "PropTrade Pro API",
        version: "1.0.0",
        description:
          "JSON API of PropTrade Pro. Money is a decimal string with 2 places; times are ISO-8601 " +
          'UTC. Errors: {"error":{"code","message","fields"}}.',
      },
      { accessCookie: cookieNames(secureCookies(config.env, config.appUrl)).access },
    );
    built.set(ctx.routes, doc);
  }
  return doc;
}
