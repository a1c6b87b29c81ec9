import assert from "node:assert/strict";
import { z } from "zod";
import { defineApi } from "./api.ts";
import type { RouteInfo } from "./define.ts";
import { buildOpenApi, type OpenApiDocument, toOpenApiPath } from "./openapi.ts";
import { renderApiDocs } from "./api_docs.ts";

const Money = z.string().regex(/^-?\d+\.\d{2}$/).meta({
  id: "Money",
  description: "Decimal string, 2 places",
});
const Category: z.ZodType = z.lazy(() => z.object({ name: z.string(), children: z.array(Category) }));

const loginInput = z.object({
  email: z.string().trim().email(),
  password: z.string().min(1),
  code: z.string().max(32).optional().describe("TOTP or recovery code"),
  remember: z.boolean().default(false),
});

const ROUTES: RouteInfo[] = [
  {
    pattern: "/api/auth/login",
    methods: ["POST", "HEAD", "OPTIONS"],
    module: {
      api: defineApi({
        POST: {
          summary: "Sign in",
          description: "Password, plus the second factor when 2FA is on.",
          tags: ["auth"],
          access: "public",
          body: loginInput,
          responses: {
            200: {
              description: "Signed in",
              schema: z.object({ accessToken: z.string(), expiresIn: z.number().int() }),
            },
            401: { description: "Wrong credentials" },
          },
        },
      }),
    },
  },
  {
    pattern: "/api/users/sessions/:id",
    methods: ["GET", "HEAD", "DELETE"],
    module: {
      api: defineApi({
        GET: {
          summary: "One session",
          tags: ["users"],
          access: "authenticated",
          responses: {
            200: { description: "The session", schema: z.object({ id: z.uuid(), balance: Money }) },
          },
        },
        DELETE: {
          summary: "Revoke a session",
          tags: ["users"],
          access: "authenticated",
          responses: { 204: { description: "Revoked" }, 404: { description: "No such session of yours" } },
        },
        // Declared, but the route does not answer it: not documented.
        PUT: { summary: "never", access: "public", responses: { 200: { description: "no" } } },
      }),
    },
  },
  {
    pattern: "/api/admin/trades",
    methods: ["GET"],
    module: {
      api: defineApi({
        GET: {
          summary: "Search trades",
          tags: ["admin"],
          access: ["admin", "risk"],
          query: z.object({
            account: z.uuid().describe("Only this account"),
            limit: z.coerce.number().int().min(1).max(100).optional(),
          }),
          responses: {
            200: { description: "A page", schema: z.object({ total: Money, categories: z.array(Category) }) },
          },
        },
      }),
    },
  },
  { pattern: "/api/objects/:key{.+}", methods: ["GET"], module: { api: { GET: publicGet("An object") } } },
  // A page: no `api` export, not documented.
  { pattern: "/challenges/:id", methods: ["GET"], module: { default: () => null } },
];

function publicGet(summary: string) {
  return { summary, access: "public" as const, responses: { 200: { description: "ok" } } };
}

const build = (routes = ROUTES): OpenApiDocument =>
  buildOpenApi(routes, { title: "PropTrade Pro API", version: "1.0.0", description: "Test" });

Deno.test("Hono patterns become OpenAPI paths", () => {
  assert.equal(toOpenApiPath("/api/users/sessions/:id"), "/api/users/sessions/{id}");
  assert.equal(toOpenApiPath("/api/objects/:path{.+}"), "/api/objects/{path}");
  assert.equal(toOpenApiPath("/a/:x/b/:y?"), "/a/{x}/b/{y}");
  assert.equal(toOpenApiPath("/api/plans"), "/api/plans");
});

Deno.test("the document lists every API operation a route answers, and nothing else", () => {
  const doc = build();
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(doc.info, { title: "PropTrade Pro API", version: "1.0.0", description: "Test" });
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    "/api/admin/trades",
    "/api/auth/login",
    "/api/objects/{key}",
    "/api/users/sessions/{id}",
  ]);
  assert.deepEqual(Object.keys(doc.paths["/api/users/sessions/{id}"]), ["get", "delete"]);
  assert.deepEqual(Object.keys(doc.paths["/api/auth/login"]), ["post"]);
  assert.deepEqual(doc.tags, [{ name: "admin" }, { name: "auth" }, { name: "users" }]);
  const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op!.operationId));
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(doc.paths["/api/users/sessions/{id}"].delete!.operationId, "deleteApiUsersSessionsById");
});

Deno.test("path parameters are required strings", () => {
  const doc = build();
  assert.deepEqual(doc.paths["/api/users/sessions/{id}"].get!.parameters, [
    { name: "id", in: "path", required: true, schema: { type: "string" } },
  ]);
  assert.deepEqual(doc.paths["/api/objects/{key}"].get!.parameters, [
    { name: "key", in: "path", required: true, description: "May contain `/`", schema: { type: "string" } },
  ]);
});

Deno.test("declared params type the path parameters and imply the 404 of a malformed id", () => {
  const routes: RouteInfo[] = [{
    pattern: "/api/things/:id",
    methods: ["GET"],
    module: {
      api: defineApi({
        GET: {
          summary: "A thing",
          access: "public",
          params: z.object({ id: z.uuid("No such thing.").describe("The thing's id") }),
          responses: { 200: { description: "The thing" } },
        },
      }),
    },
  }];
  const op = build(routes).paths["/api/things/{id}"].get!;
  const [param] = op.parameters!;
  assert.equal(param.description, "The thing's id");
  assert.equal(param.schema.type, "string");
  assert.equal(param.schema.format, "uuid");
  assert.equal(op.responses["404"].description, "Nothing has this id (a malformed id answers the same)");
  assert.deepEqual(op.responses["404"].content, {
    "application/json": { schema: { $ref: "#/components/schemas/Error" } },
  });
});

Deno.test("the request body is the input JSON Schema of the zod schema", () => {
  const op = build().paths["/api/auth/login"].post!;
  assert.equal(op.summary, "Sign in");
  assert.equal(op.description, "Password, plus the second factor when 2FA is on.");
  assert.deepEqual(op.tags, ["auth"]);
  assert.equal(op.requestBody!.required, true);
  assert.equal(op.requestBody!.description, "At most 65536 bytes; a larger body gets 413.");
  const schema = op.requestBody!.content["application/json"].schema;
  assert.equal(schema.$schema, undefined, "no per-schema dialect inside the document");
  assert.equal(schema.type, "object");
  // Input side: `remember` has a default, so the client may leave it out.
  assert.deepEqual(schema.required, ["email", "password"]);
  const props = schema.properties as Record<string, Record<string, unknown>>;
  assert.equal(props.email.format, "email");
  assert.equal(props.password.minLength, 1);
  assert.deepEqual(props.code, { type: "string", maxLength: 32, description: "TOTP or recovery code" });
  assert.deepEqual(props.remember, { type: "boolean", default: false });
});

Deno.test("responses carry their schemas; every 4xx refers to the shared Error", () => {
  const doc = build();
  const login = doc.paths["/api/auth/login"].post!;
  assert.deepEqual(Object.keys(login.responses), ["200", "400", "401", "413", "422"]);
  const ok = login.responses["200"].content!["application/json"].schema;
  assert.deepEqual(ok.required, ["accessToken", "expiresIn"]);
  for (const status of ["400", "401", "413", "422"]) {
    assert.deepEqual(login.responses[status].content, {
      "application/json": { schema: { $ref: "#/components/schemas/Error" } },
    }, status);
  }
  assert.equal(login.responses["401"].description, "Wrong credentials", "a declared response keeps its text");

  const revoke = doc.paths["/api/users/sessions/{id}"].delete!;
  assert.deepEqual(Object.keys(revoke.responses), ["204", "401", "404"]);
  assert.equal(revoke.responses["204"].content, undefined);
  assert.equal(
    revoke.responses["404"].content!["application/json"].schema.$ref,
    "#/components/schemas/Error",
  );

  const error = doc.components.schemas.Error as {
    properties: { error: { required: string[]; properties: object } };
  };
  assert.deepEqual(error.properties.error.required, ["code", "message"]);
  assert.deepEqual(Object.keys(error.properties.error.properties), ["code", "message", "fields"]);
});

Deno.test("query parameters come from the object query schema", () => {
  const op = build().paths["/api/admin/trades"].get!;
  assert.deepEqual(op.parameters, [
    {
      name: "account",
      in: "query",
      required: true,
      description: "Only this account",
      schema: op.parameters![0].schema,
    },
    { name: "limit", in: "query", required: false, schema: op.parameters![1].schema },
  ]);
  assert.equal(op.parameters![0].schema.format, "uuid");
  assert.equal(op.parameters![1].schema.type, "integer");
  assert.equal(op.parameters![1].schema.maximum, 100);
  assert.deepEqual(Object.keys(op.responses), ["200", "401", "403", "422"]);
});

Deno.test("a non-object query schema is refused with the expected shape", () => {
  const routes: RouteInfo[] = [{
    pattern: "/api/x",
    methods: ["GET"],
    module: { api: { GET: { ...publicGet("x"), query: z.string() } } },
  }];
  assert.throws(() => build(routes), /GET \/api\/x: `query` must be a z\.object/);
});

Deno.test("security: none for public operations, bearer or cookie otherwise; x-access carries the rule", () => {
  const doc = build();
  const login = doc.paths["/api/auth/login"].post!;
  assert.deepEqual(login.security, []);
  assert.equal(login["x-access"], "public");
  const session = doc.paths["/api/users/sessions/{id}"].get!;
  assert.deepEqual(session.security, [{ bearerAuth: [] }, { cookieAuth: [] }]);
  assert.equal(session["x-access"], "authenticated");
  assert.deepEqual(doc.paths["/api/admin/trades"].get!["x-access"], ["admin", "risk"]);
  assert.deepEqual(doc.components.securitySchemes, {
    bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
    cookieAuth: { type: "apiKey", in: "cookie", name: "pt_access" },
  });
  const secure = buildOpenApi(ROUTES, { title: "t", version: "1" }, { accessCookie: "__Host-pt_access" });
  assert.equal(secure.components.securitySchemes.cookieAuth.name, "__Host-pt_access");
  assert.equal("description" in secure.info, false);
});

Deno.test("shared and recursive zod definitions become components with working refs", () => {
  const doc = build();
  const schemas = doc.components.schemas;
  assert.deepEqual(schemas.Money, {
    type: "string",
    pattern: "^-?\\d+\\.\\d{2}$",
    description: "Decimal string, 2 places",
  });
  const session =
    doc.paths["/api/users/sessions/{id}"].get!.responses["200"].content!["application/json"].schema;
  assert.deepEqual((session.properties as Record<string, unknown>).balance, {
    $ref: "#/components/schemas/Money",
  });

  // Every $ref in the document points at a component that exists.
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
  assert.ok(
    refs.some((r) => r !== "#/components/schemas/Error" && r !== "#/components/schemas/Money"),
    "recursive def",
  );
  for (const ref of refs) {
    assert.match(ref, /^#\/components\/schemas\//);
    assert.ok(ref.slice("#/components/schemas/".length) in schemas, ref);
  }
  assert.ok(!JSON.stringify(doc).includes("$defs"));
});

Deno.test("a date in a schema does not take the document down", () => {
  const routes: RouteInfo[] = [{
    pattern: "/api/x",
    methods: ["POST"],
    module: { api: { POST: { ...publicGet("x"), body: z.object({ at: z.date(), n: z.number() }) } } },
  }];
  const schema = build(routes).paths["/api/x"].post!.requestBody!.content["application/json"].schema;
  assert.deepEqual((schema.properties as Record<string, unknown>).at, {});
});

Deno.test("the docs page lists operations by tag and escapes everything", async (t) => {
  const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
  const routes: RouteInfo[] = [...ROUTES, {
    pattern: "/api/evil/:id",
    methods: ["POST"],
    module: {
      api: defineApi({
        POST: {
          summary: hostile,
          description: `"'&`,
          tags: [`</section><script>1</script>`],
          access: "authenticated",
          body: z.object({ note: z.string().describe("</code></pre><script>2</script>") }),
          responses: { 200: { description: "<b>ok</b>" } },
        },
      }),
    },
  }];
  const html = renderApiDocs(build(routes), {
    stylesheets: ["/_frsh/css/styles-abc.css"],
    specUrl: "/api/openapi.json",
  });

  await t.step("a complete page without script or inline style", () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<title>PropTrade Pro API — API reference<\/title>/);
    assert.match(html, /<link rel="stylesheet" href="\/_frsh\/css\/styles-abc\.css">/);
    assert.match(html, /href="\/api\/openapi\.json"/);
    assert.ok(!/<script/i.test(html), "no script element");
    assert.ok(!/\sstyle=|<style/i.test(html), "no inline style");
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    assert.ok(tags.length > 50);
    for (const tag of tags) assert.ok(!/\son\w+=/i.test(tag), `event handler attribute in ${tag}`);
    assert.ok(!tags.some((tag) => /^<(img|iframe|object|embed)\b/i.test(tag)), "only the elements we write");
    assert.match(html, /<\/html>\n$/);
  });

  await t.step("hostile text appears escaped", () => {
    assert.ok(
      html.includes(
        "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;",
      ),
    );
    assert.ok(html.includes("&#34;&#39;&#38;"));
    assert.ok(html.includes("&#60;/section&#62;&#60;script&#62;1&#60;/script&#62;"));
    assert.ok(html.includes("&#60;/code&#62;&#60;/pre&#62;&#60;script&#62;2&#60;/script&#62;"));
    assert.ok(html.includes("&#60;b&#62;ok&#60;/b&#62;"));
  });

  await t.step("operations grouped by tag, with method, path, summary, access and schemas", () => {
    const section = (id: string) => {
      const start = html.indexOf(`<section id="${id}"`);
      assert.ok(start >= 0, id);
      return html.slice(start, html.indexOf("</section>", start));
    };
    const auth = section("tag-auth");
    assert.match(auth, /<h2 id="tag-auth-title"[^>]*>auth<\/h2>/);
    assert.match(auth, />POST<\/span> <code>\/api\/auth\/login<\/code>/);
    assert.match(auth, /Sign in/);
    assert.match(auth, /Access: public \(no sign-in\)/);
    assert.match(auth, /Request body/);
    assert.match(auth, /&#34;password&#34;: \{/);
    assert.match(auth, /<dt[^>]*>422<\/dt>/);
    assert.match(auth, /#\/components\/schemas\/Error/);

    const users = section("tag-users");
    assert.match(users, />GET<\/span> <code>\/api\/users\/sessions\/\{id\}<\/code>/);
    assert.match(users, />DELETE<\/span>/);
    assert.match(users, /Access: any signed-in user/);
    assert.match(users, /<code>id<\/code><\/td><td class="pr-4">path<\/td>/);

    assert.match(section("tag-admin"), /Access: signed-in users with role admin or risk/);
    assert.match(section("tag-other"), /An object/);
    assert.match(section("schemas"), /<code>Money<\/code>/);
    assert.match(html, /<a class="link" href="#tag-auth">auth<\/a> \(1\)/);
  });
});
