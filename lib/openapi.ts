/**
 * The OpenAPI 3.1 description of the JSON API, built from the `api` specs that route modules export beside
 * their handlers. The schemas are the same zod schemas the handlers validate with, so the document cannot
 * drift from what the server accepts.
 */
import type { z } from "zod";
import type { Access } from "./access.ts";
import type { ApiOperation, ApiSpec } from "./api.ts";
import { DEFAULT_BODY_LIMIT } from "./body.ts";
import type { Method, RouteInfo } from "./define.ts";
import { type JsonSchema, SchemaComponents } from "./openapi_schemas.ts";

interface OpenApiParameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

interface OpenApiResponse {
  description: string;
  content?: { "application/json": { schema: JsonSchema } };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: OpenApiParameter[];
  requestBody?: {
    required: true;
    description: string;
    /** One media type: `application/json`, or `multipart/form-data` for uploads (`bodyMediaType`). */
    content: Record<string, { schema: JsonSchema }>;
  };
  responses: Record<string, OpenApiResponse>;
  /** `[]` for public operations (explicitly no authentication), else either of the two schemes. */
  security: Record<string, string[]>[];
  /** The access rule the server enforces: "public", "authenticated" or the roles allowed. */
  "x-access": Access;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description?: string };
  tags: { name: string }[];
  paths: Record<string, Partial<Record<Lowercase<DocumentedMethod>, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

/** HEAD and OPTIONS are answered by the framework for every route: nothing to document. */
type DocumentedMethod = Exclude<Method, "HEAD" | "OPTIONS">;
const DOCUMENTED: readonly DocumentedMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** The default name of the access-token cookie; `__Host-pt_access` when cookies are `Secure`. */
const DEFAULT_ACCESS_COOKIE = "pt_access";

const ERROR_REF = { $ref: "#/components/schemas/Error" };

/** The one error body (`lib/errors.ts`), referenced by every 4xx response. */
const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: {
          type: "string",
          description: "Machine-readable, e.g. `unprocessable`, `two_factor_required`",
        },
        message: { type: "string", description: "Human-readable, safe to show" },
        fields: {
          type: "object",
          additionalProperties: { type: "string" },
          description: 'Field path → message, for 400/422 (e.g. `{"code": "is not valid"}`)',
        },
      },
    },
  },
};

/** Responses every operation of a kind can give, unless the spec describes them itself. */
const IMPLIED = {
  400: "The body is not JSON",
  401: "Not signed in (or the access token expired)",
  403: "Signed in, but the role may not do this",
  404: "Nothing has this id (a malformed id answers the same)",
  413: "The body is larger than this operation's limit (`payload_too_large`)",
  422: "Invalid input; `fields` names each invalid field",
} as const;

/**
 * Builds the OpenAPI 3.1.0 document of every route whose module exports `api`.
 *
 * `options.accessCookie` names the access-token cookie in `cookieAuth` (pass the one the app sets, e.g.
 * `__Host-pt_access` behind HTTPS).
 *
 * @example
 * const doc = buildOpenApi(app.fileRoutes, { title: "PropTrade Pro API", version: "1" });
 * return Response.json(doc);
 */
export function buildOpenApi(
  routes: RouteInfo[],
  info: { title: string; version: string; description?: string },
  options: { accessCookie?: string } = {},
): OpenApiDocument {
  const components = new SchemaComponents();
  const paths: OpenApiDocument["paths"] = {};
  const tags = new Set<string>();

  for (
    const route of [...routes].sort((a, b) =>
      toOpenApiPath(a.pattern).localeCompare(toOpenApiPath(b.pattern))
    )
  ) {
    const spec = route.module.api as ApiSpec | undefined;
    if (!spec) continue;
    const path = toOpenApiPath(route.pattern);
    for (const method of DOCUMENTED) {
      const op = spec[method];
      // A declared operation the route does not answer would only 405: leave it out.
      if (!op || !route.methods.includes(method)) continue;
      const where = `${method} ${route.pattern}`;
      (paths[path] ??= {})[lowercase(method)] = operation(op, method, route.pattern, where, components);
      for (const tag of op.tags ?? []) tags.add(tag);
    }
  }

  return {
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA, ...components.schemas },
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        cookieAuth: { type: "apiKey", in: "cookie", name: options.accessCookie ?? DEFAULT_ACCESS_COOKIE },
      },
    },
  };
}

/** `/api/users/sessions/:id` → `/api/users/sessions/{id}`; `:path{.+}` → `{path}`; `:id?` → `{id}`. */
export function toOpenApiPath(pattern: string): string {
  return pattern.replace(/:(\w+)(?:\{[^}]*\})?\??/g, "{$1}");
}

/**
 * One parameter per `:name` of the path, typed by the operation's `params` schema where it declares one (the
 * same schema `define.api` checks), else a plain string.
 */
function pathParameters(
  pattern: string,
  op: ApiOperation,
  where: string,
  components: SchemaComponents,
): OpenApiParameter[] {
  const declared = op.params ? objectProperties(op.params, "params", where, components).properties : {};
  return [...pattern.matchAll(/:(\w+)(\{[^}]*\})?/g)].map(([, name, regex]) => {
    const { description, ...schema } = declared[name] ?? { type: "string" };
    return {
      name,
      in: "path",
      required: true,
      ...(regex === "{.+}" ? { description: "May contain `/`" } : {}),
      ...(typeof description === "string" ? { description } : {}),
      schema,
    };
  });
}

function operation(
  op: ApiOperation,
  method: DocumentedMethod,
  pattern: string,
  where: string,
  components: SchemaComponents,
): OpenApiOperation {
  const parameters = [
    ...pathParameters(pattern, op, where, components),
    ...queryParameters(op, where, components),
  ];
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    const schema = response.schema
      ? components.convert(response.schema, "output", `${where} response ${status}`)
      : isClientError(status)
      ? ERROR_REF
      : undefined;
    responses[status] = {
      description: response.description,
      ...(schema ? { content: { "application/json": { schema } } } : {}),
    };
  }
  const implied: (keyof typeof IMPLIED)[] = [
    ...(op.body ? [400 as const, 413 as const] : []),
    ...(op.params ? [404 as const] : []),
    ...(op.access !== "public" ? [401 as const] : []),
    ...(Array.isArray(op.access) ? [403 as const] : []),
    ...(op.body || op.query ? [422 as const] : []),
  ];
  for (const status of implied) {
    responses[status] ??= {
      description: IMPLIED[status],
      content: { "application/json": { schema: ERROR_REF } },
    };
  }

  return {
    operationId: operationId(method, pattern),
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.tags?.length ? { tags: op.tags } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
        requestBody: {
          required: true as const,
          description: `At most ${op.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes; a larger body gets 413.`,
          content: {
            [op.bodyMediaType ?? "application/json"]: {
              schema: components.convert(op.body, "input", `${where} body`),
            },
          },
        },
      }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    security: op.access === "public" ? [] : [{ bearerAuth: [] }, { cookieAuth: [] }],
    "x-access": op.access,
  };
}

/** Each property of the `query` object schema becomes one query parameter. */
function queryParameters(op: ApiOperation, where: string, components: SchemaComponents): OpenApiParameter[] {
  if (!op.query) return [];
  const { properties, required } = objectProperties(op.query, "query", where, components);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: "query",
      required: required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

/** The properties of a `query` or `params` schema, which must be an object of named fields. */
function objectProperties(
  schema: z.ZodType,
  kind: "query" | "params",
  where: string,
  components: SchemaComponents,
): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const json = components.convert(schema, "input", `${where} ${kind}`);
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  if (json.type !== "object" || !properties) {
    throw new Error(
      `${where}: \`${kind}\` must be a z.object({ name: z.string(), … }), got ${JSON.stringify(json)}`,
    );
  }
  return { properties, required: new Set((json.required as string[] | undefined) ?? []) };
}

function isClientError(status: string): boolean {
  return /^4\d\d$/.test(status);
}

/** `POST /api/users/sessions/:id` → `postApiUsersSessionsById`: stable, unique per method and path. */
function operationId(method: DocumentedMethod, pattern: string): string {
  const words = pattern.split("/").filter(Boolean).map((segment) => {
    const param = /^:(\w+)/.exec(segment);
    return param ? `by-${param[1]}` : segment;
  });
  return lowercase(method) + words.join("-").split(/[^A-Za-z0-9]+/).filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

function lowercase<M extends DocumentedMethod>(method: M): Lowercase<M> {
  return method.toLowerCase() as Lowercase<M>;
}
