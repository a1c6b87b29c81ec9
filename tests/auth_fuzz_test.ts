/**
 * Property-based fuzzing of every auth and users endpoint (npm fast-check): random and malformed bodies,
 * wrong content types, huge and deeply nested input, wrong types in each field, garbage cookies, with and
 * without a valid bearer token. Properties: never a 5xx; every 4xx is JSON in the documented error shape.
 *
 * Runs are bounded per endpoint (fewer where the handler hashes a password with Argon2). Every case is a
 * fresh client address, and every bearer case a fresh session of the fuzz user, so neither rate limits nor
 * a logout in one case decide the outcome of another.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ApiOperation } from "../lib/api.ts";
import { openTestApp } from "./helpers/app.ts";
import {
  client,
  errorShapeProblem,
  newSession,
  signUp,
  strongPassword,
  uniqueEmail,
} from "./helpers/client.ts";

/** Endpoints whose handler may run Argon2 on fuzzed input: fewer runs keep the suite fast. */
const SLOW = new Set([
  "POST /api/auth/register",
  "POST /api/auth/login",
  "POST /api/auth/reset-password",
  "POST /api/auth/reauth",
  "PUT /api/users/password",
  "PUT /api/users/profile",
]);
const RUNS = 80;
const SLOW_RUNS = 30;

/** A plausible value for a field, by name, so that mutating one field leaves the others valid. */
function plausible(field: string): unknown {
  if (/email/i.test(field)) return uniqueEmail("fuzz");
  if (/password/i.test(field)) return strongPassword();
  if (/name/i.test(field)) return "Fuzz";
  if (/token/i.test(field)) return crypto.randomUUID().replaceAll("-", "");
  if (field === "code") return "123456";
  if (field === "country") return "CZ";
  if (field === "timeZone") return "Europe/Prague";
  return "x";
}

function fieldsOf(op: ApiOperation | undefined): string[] {
  const shape = (op?.body as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function template(fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, plausible(f)]));
}

function deep(depth: number, array: boolean): string {
  return array ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** A value of the wrong kind (or a nasty one of the right kind) for any field. */
const weird = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  fc.integer({ min: 2_000, max: 200_000 }).map((n) => "a".repeat(n)),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "00000000-0000-0000-0000-000000000000",
    "not-an-email@",
    "a@b",
    "@example.test",
    "Europe/Atlantis",
    "\uD800",
    "😀".repeat(300),
    "1e309",
    "-0",
  ),
);

type BodyCase =
  | { kind: "none" }
  | { kind: "anything"; value: unknown }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "invalid"; text: string }
  | { kind: "contentType"; type: string }
  | { kind: "huge"; size: number; raw: boolean }
  | { kind: "deep"; depth: number; array: boolean; inField: boolean }
  | { kind: "mutate"; field: number; value: unknown }
  | { kind: "drop"; field: number }
  | { kind: "extra"; key: string; value: unknown };

const bodyCase: fc.Arbitrary<BodyCase> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.anything({ maxDepth: 3 }).map((value) => ({ kind: "anything" as const, value })),
  fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: "json" as const, value })),
  fc.string({ unit: "binary", maxLength: 300 }).map((text) => ({ kind: "text" as const, text })),
  fc.tuple(
    fc.constantFrom(
      "{",
      "}",
      "[1,",
      "{'email':'a@b.c'}",
      '{"email":}',
      '{"email":"a@b.c",}',
      "nul",
      "undefined",
      "NaN",
      "01",
      '"\\u12"',
      '{"a":1}{"b":2}',
      "\uFEFF{}",
      "\u0000",
      '{"__proto__":{"admin":true}',
    ),
    fc.string({ maxLength: 20 }),
  ).map(([head, tail]) => ({ kind: "invalid" as const, text: head + tail })),
  fc.constantFrom(
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "",
    "application/jsonp",
    "text/json",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/json-patch+json",
    "*/*",
  ).map((type) => ({ kind: "contentType" as const, type })),
  fc.record({ size: fc.integer({ min: 60_000, max: 400_000 }), raw: fc.boolean() }).map((r) => ({
    kind: "huge" as const,
    ...r,
  })),
  fc.record({ depth: fc.integer({ min: 50, max: 30_000 }), array: fc.boolean(), inField: fc.boolean() }).map((
    r,
  ) => ({ kind: "deep" as const, ...r })),
  fc.record({ field: fc.nat(), value: weird }).map((r) => ({ kind: "mutate" as const, ...r })),
  fc.record({ field: fc.nat() }).map((r) => ({ kind: "drop" as const, ...r })),
  fc.record({
    key: fc.oneof(
      fc.constantFrom("__proto__", "constructor", "prototype", "role", "userId", "id"),
      fc.string(),
    ),
    value: weird,
  }).map((r) => ({ kind: "extra" as const, ...r })),
);

const fuzzCase = fc.record({
  body: bodyCase,
  bearer: fc.boolean(),
  /** Garbage session cookies (sent from "our own page", so the CSRF check lets them through). */
  cookies: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    {
      arbitrary: fc.record({
        access: fc.stringMatching(/^[\x21-\x7e]{0,400}$/),
        refresh: fc.stringMatching(/^[\x21-\x7e]{0,300}$/),
      }),
      weight: 1,
    },
  ),
  id: fc.oneof(
    fc.uuid(),
    fc.string({ maxLength: 60 }),
    fc.constantFrom("x", "%00", "' or 1=1 --", "a".repeat(500), "00000000-0000-0000-0000-000000000000"),
  ),
  query: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 50 }), { maxKeys: 3 })),
});

interface Built {
  body?: string;
  contentType?: string;
}

function buildBody(c: BodyCase, fields: string[]): Built {
  const json = "application/json";
  const base = () => template(fields);
  const pick = (i: number) => fields.length ? fields[i % fields.length] : "value";
  switch (c.kind) {
    case "none":
      return {};
    case "anything": {
      let text: string | undefined;
      try {
        text = JSON.stringify(c.value);
      } catch {
        text = String(c.value);
      }
      return { body: text ?? "", contentType: json };
    }
    case "json":
      return { body: JSON.stringify(c.value), contentType: json };
    case "text":
    case "invalid":
      return { body: c.text, contentType: json };
    case "contentType":
      return { body: JSON.stringify(base()), contentType: c.type || undefined };
    case "huge": {
      const filler = "x".repeat(c.size);
      return { body: c.raw ? filler : JSON.stringify({ ...base(), [pick(0)]: filler }), contentType: json };
    }
    case "deep": {
      const nested = deep(c.depth, c.array);
      if (!c.inField) return { body: nested, contentType: json };
      const b = JSON.stringify({ ...base(), [pick(c.depth)]: "__DEEP__" });
      return { body: b.replace('"__DEEP__"', nested), contentType: json };
    }
    case "mutate":
      return { body: JSON.stringify({ ...base(), [pick(c.field)]: c.value }), contentType: json };
    case "drop": {
      const b = base();
      delete b[pick(c.field)];
      return { body: JSON.stringify(b), contentType: json };
    }
    case "extra":
      return { body: JSON.stringify({ ...base(), [c.key]: c.value }), contentType: json };
  }
}

Deno.test("auth: fuzzing auth and users endpoints never yields a 5xx or a malformed error", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const endpoints = app.fileRoutes
      .filter((r) => /^\/api\/(auth|users)(\/|$)/.test(r.pattern))
      .flatMap((r) =>
        r.methods.filter((m) => m !== "HEAD").map((method) => ({
          pattern: r.pattern,
          method,
          op: (r.module.api as Record<string, ApiOperation> | undefined)?.[method],
        }))
      );
    assert.ok(endpoints.length >= 10, `expected the auth and users endpoints, found ${endpoints.length}`);

    const seed = Date.now() % 2_147_483_647;
    const failures = new Map<string, string>();
    let cases = 0;

    for (const { pattern, method, op } of endpoints) {
      const name = `${method} ${pattern}`;
      const fields = fieldsOf(op);
      const numRuns = SLOW.has(name) ? SLOW_RUNS : RUNS;
      const statuses = new Map<number, number>();
      await t.step(`${name} (${numRuns} runs)`, async () => {
        await fc.assert(
          fc.asyncProperty(fuzzCase, async (fz) => {
            cases++;
            const built = buildBody(fz.body, fields);
            let path = pattern.replace(/:(\w+)/g, () => encodeURIComponent(fz.id));
            if (fz.query) path += `?${new URLSearchParams(fz.query)}`;
            const headers = new Headers();
            if (fz.bearer) {
              const session = await newSession(deps, { userId: user.userId, role: "trader" });
              headers.set("authorization", `Bearer ${session.accessToken}`);
            }
            if (fz.cookies) {
              headers.set("cookie", `pt_access=${fz.cookies.access}; pt_refresh=${fz.cookies.refresh}`);
              headers.set("sec-fetch-site", "same-origin");
            }
            const hasBody = method !== "GET" && built.body !== undefined;
            if (hasBody && built.contentType) headers.set("content-type", built.contentType);
            const res = await client(app).request(path, {
              method,
              headers,
              body: hasBody ? built.body : undefined,
            });
            const text = await res.text();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const describe = () =>
              `${name} [${fz.body.kind}${fz.bearer ? ", bearer" : ""}${fz.cookies ? ", cookies" : ""}] ` +
              `path=${path.slice(0, 120)} body=${(built.body ?? "").slice(0, 160)} → ${res.status} ` +
              `${res.headers.get("content-type")} ${text.slice(0, 200)} (seed ${seed})`;
            let problem: string | null = null;
            if (res.status >= 500) problem = "5xx";
            else if (res.status >= 400) {
              const type = res.headers.get("content-type") ?? "";
              if (!/^application\/json\b/.test(type)) problem = `4xx with content-type "${type}"`;
              else {
                try {
                  problem = errorShapeProblem(JSON.parse(text));
                } catch {
                  problem = "4xx body is not JSON";
                }
              }
            }
            if (problem) {
              const key = `${name} ${res.status} ${problem}`;
              if (!failures.has(key)) failures.set(key, `${problem}: ${describe()}`);
            }
            return true;
          }),
          { numRuns, seed: seed + cases },
        );
        const seen = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ");
        console.log(`${name}: ${seen}`);
      });
    }

    console.log(`fuzz: ${cases} cases over ${endpoints.length} endpoints, ${failures.size} failures`);
    assert.deepEqual([...failures.values()], [], [...failures.values()].join("\n"));
  } finally {
    await close();
  }
});
