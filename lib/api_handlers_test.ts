import assert from "node:assert/strict";
import { z } from "zod";
import { type ApiOperation, defineApi } from "./api.ts";
import { createApiHandlers } from "./api_handlers.ts";
import { admitBody } from "./body.ts";
import type { Context } from "./define.ts";
import { HttpError } from "./errors.ts";

type User = { id: string };
type State = { user: User | null };
const api = createApiHandlers<State>();

const spec = defineApi({
  GET: { summary: "", access: "public", query: z.object({ q: z.string().max(3) }), responses: {} },
  POST: {
    summary: "",
    access: "authenticated",
    body: z.object({ n: z.int() }),
    bodyLimit: 32,
    responses: {},
  },
  PUT: { summary: "", access: "authenticated", body: z.object({ n: z.int() }), rawBody: true, responses: {} },
  DELETE: {
    summary: "",
    access: "public",
    body: z.object({ n: z.int().optional() }),
    optionalBody: true,
    responses: {},
  },
});

/** The handler answers with the input it was given, so a test sees what the layer validated. */
const handler = api(spec, {
  GET: (_ctx, input) => Response.json(input),
  POST: (_ctx, { body, user }) => Response.json({ n: body.n + 1, user: user.id }),
  PUT: async (ctx, { body }) => Response.json({ body: body ?? null, raw: await ctx.req.text() }),
  DELETE: (_ctx, { body }) => Response.json(body),
});

function call(
  method: "GET" | "POST" | "PUT" | "DELETE",
  init: { url?: string; body?: string; type?: string } = {},
) {
  const req = new Request(init.url ?? "http://test/", {
    method,
    body: init.body,
    headers: init.body === undefined ? {} : { "content-type": init.type ?? "application/json" },
  });
  admitBody(req, (spec[method] as ApiOperation).bodyLimit ?? 64 * 1024);
  const ctx = { req, url: new URL(req.url), params: {}, state: { user: { id: "u1" } } } as unknown as Context<
    State
  >;
  return Promise.resolve(handler[method]!(ctx) as Response);
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `not an HttpError: ${error}`);
    return error;
  }
  assert.fail("the layer let invalid input reach the handler");
}

Deno.test("define.api: the handler gets the body its declaration validated, and only that", async () => {
  const res = await (await call("POST", { body: '{"n": 41, "extra": true}' })).json();
  assert.deepEqual(res, { n: 42, user: "u1" });
});

Deno.test("define.api: a wrong field is a 422 naming it before the handler runs", async () => {
  const error = await refusal(call("POST", { body: '{"n": "x"}' }));
  assert.equal(error.status, 422);
  assert.deepEqual(Object.keys((error as unknown as { fields: object }).fields), ["n"]);
});

Deno.test("define.api: a body that is not JSON is a 400; one past the declared bodyLimit a 413", async () => {
  assert.equal(
    (await refusal(call("POST", { body: "n=1", type: "application/x-www-form-urlencoded" }))).status,
    400,
  );
  assert.equal((await refusal(call("POST", { body: "{not json" }))).status, 400);
  assert.equal(
    (await refusal(call("POST", { body: JSON.stringify({ n: 1, pad: "x".repeat(64) }) }))).status,
    413,
  );
});

Deno.test("define.api: the declared query is validated (control characters refused)", async () => {
  assert.deepEqual(await (await call("GET", { url: "http://test/?q=ab" })).json(), {
    params: {},
    query: { q: "ab" },
    user: { id: "u1" },
  });
  assert.equal((await refusal(call("GET", { url: "http://test/?q=toolong" }))).status, 422);
  assert.equal((await refusal(call("GET", { url: "http://test/?q=%01" }))).status, 422);
});

Deno.test("define.api: rawBody leaves the bytes unread for a handler that checks a signature over them", async () => {
  const res = await (await call("PUT", { body: '{"n": "not validated"}' })).json();
  assert.deepEqual(res, { body: null, raw: '{"n": "not validated"}' });
});

Deno.test("define.api: optionalBody reads an empty body as {}, and still validates one that is sent", async () => {
  assert.deepEqual(await (await call("DELETE")).json(), {});
  assert.equal((await refusal(call("DELETE", { body: '{"n": "x"}' }))).status, 422);
});

Deno.test("define.api: declared params are checked before the body; a refused one is the 404 of an unknown id", async () => {
  const byId = api(
    defineApi({
      PATCH: {
        summary: "",
        access: "authenticated",
        params: z.object({ id: z.uuid("No such thing.") }),
        body: z.object({ n: z.int() }),
        responses: {},
      },
    }),
    { PATCH: (_ctx, { params, body }) => Response.json({ id: params.id, n: body.n }) },
  );
  const patch = (id: string, body: string) => {
    const req = new Request("http://test/", {
      method: "PATCH",
      body,
      headers: { "content-type": "application/json" },
    });
    admitBody(req, 1024);
    const ctx = { req, url: new URL(req.url), params: { id }, state: { user: { id: "u1" } } };
    return Promise.resolve(byId.PATCH!(ctx as unknown as Context<State>) as Response);
  };
  const id = crypto.randomUUID();
  assert.deepEqual(await (await patch(id, '{"n": 1}')).json(), { id, n: 1 });
  // Bad in both: the id is judged first, and answered like a row that does not exist.
  const error = await refusal(patch("not-an-id", '{"n": "x"}'));
  assert.equal(error.status, 404);
  assert.deepEqual(error.toJSON(), { error: { code: "not_found", message: "No such thing." } });
});

Deno.test("define.api: a handler for a method the declaration lacks is refused at startup", () => {
  assert.throws(
    // @ts-expect-error PATCH is not declared
    () => api(defineApi({ GET: spec.GET }), { GET: () => new Response(), PATCH: () => new Response() }),
    /PATCH has a handler but no declared operation/,
  );
});

Deno.test("define.api types: user is non-null when access is not public; body and query are inferred", () => {
  // Compile-time checks (deno check): a wrong narrowing would fail type checking, not this test's assertions.
  api(spec, {
    GET: (_ctx, { user, query }) => {
      // @ts-expect-error a public operation may be called anonymously
      const _user: User = user;
      const _q: string = query.q;
      return new Response();
    },
    POST: (_ctx, { user, body }) => {
      const _user: User = user;
      const _n: number = body.n;
      return new Response();
    },
    PUT: (_ctx, { body }) => {
      const _raw: undefined = body;
      return new Response();
    },
    DELETE: (_ctx, { params }) => {
      // Without a declared schema, the router's raw strings.
      const _params: Record<string, string> = params;
      return new Response();
    },
  });
  api(
    defineApi({
      GET: { summary: "", access: "public", params: z.object({ n: z.coerce.number() }), responses: {} },
    }),
    {
      GET: (_ctx, { params }) => {
        const _n: number = params.n;
        // @ts-expect-error only the declared params are typed
        params.other;
        return new Response();
      },
    },
  );
  const loose = defineApi({
    GET: { summary: "", access: "public" as "public" | "authenticated", responses: {} },
  });
  api(loose, {
    GET: (_ctx, { user }) => {
      // @ts-expect-error an access rule that may be "public" keeps the user nullable
      const _user: User = user;
      return new Response();
    },
  });
});
