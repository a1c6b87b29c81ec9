/**
 * Property-based fuzzing of every API endpoint (npm fast-check): random and malformed bodies, wrong content
 * types, huge and deeply nested input, wrong types in each field (at any depth of a nested body), control
 * characters and lone surrogates in values, keys, query strings and path segments, amounts past their
 * NUMERIC columns and instants outside any sane range, garbage cookies, with and without a valid bearer
 * token. Properties: never a 5xx; every 4xx is JSON in the documented error shape.
 *
 * Two suites: the auth and users endpoints (as the fuzz user), and every other API endpoint (as a trader, or
 * as an admin where the operation is for staff; demo-sync bodies are signed, so they reach validation).
 * Runs are bounded per endpoint (fewer where the handler hashes a password with Argon2). Every case is a
 * fresh client address, and every bearer case a fresh session (in the second suite, of a fresh trader), so
 * neither rate limits nor a logout in one case decide the outcome of another.
 */
import assert from "node:assert/strict";
import fc from "./deps/fast_check.ts";
import type { ApiOperation } from "../lib/api.ts";
import type { FreshApp } from "../lib/app.ts";
import type { Deps } from "../services/deps.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { signSync, SYNC_SIGNATURE_HEADER } from "../services/accounts/sync_signature.ts";
import { openTestApp } from "./helpers/app.ts";
import { openTestAccount } from "./helpers/accounts.ts";
import {
  client,
  errorShapeProblem,
  makeStaff,
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
/** Endpoints with a small per-user budget: runs past it would only measure the 429. */
const BUDGETED: Record<string, number> = { "POST /api/rules/simulate": 30 };

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

/** Characters no stored text may hold: NUL, other C0 controls, DEL, C1, noncharacters, lone surrogates. */
const BAD_CHARS = ["\u0000", "\u0001", "\u0008", "\u001b", "\u007f", "\u0085", "\u009f", "\uFFFE", "\uFFFF"];
const LONE = ["\uD800", "\uDBFF", "\uDC00", "\uDFFF"];

/** A plausible string with a control character or a lone surrogate spliced in somewhere. */
const controlText = fc.tuple(
  fc.string({ maxLength: 12 }),
  fc.oneof(
    { arbitrary: fc.constant("\u0000"), weight: 3 },
    { arbitrary: fc.constantFrom(...BAD_CHARS, ...LONE, "\t", "\n", "\r\n"), weight: 4 },
  ),
  fc.string({ maxLength: 12 }),
).map(([a, bad, b]) => a + bad + b);

/** Amounts around and past NUMERIC(12,2) / NUMERIC(15,2), over-precise, signed zero, not numbers at all. */
const amount = fc.oneof(
  fc.constantFrom(
    "1e15",
    "99999999999999.99",
    "9999999999999.99",
    "-9999999999999.99",
    "10000000000000",
    "9999999999.99",
    "10000000000.00",
    "1.001",
    "0.005",
    "-0",
    "-0.00",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "1_000",
    " 1",
    "+1",
    ".5",
    "5.",
    "9".repeat(400),
  ),
  fc.constantFrom(1e15, -1e15, 1e308, 0.1, -0, Number.MAX_SAFE_INTEGER),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => `${n / 100n}.${(n < 0n ? -n : n) % 100n}`),
);

/** Instants that are not real, not in range, or not in the form the API takes. */
const instant = fc.oneof(
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-271821-04-20T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-03-02T24:00:00Z",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "2026-03-02T09:00:00",
    "2026-03-02",
    "2026-03-02T09:00:00+25:00",
  ),
  fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** A value of the wrong kind (or a nasty one of the right kind) for any field. */
const weird = fc.oneof(
  controlText,
  amount,
  instant,
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
  | { kind: "typed"; field: number; text: string; amount: unknown; instant: unknown }
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
  // Weighted: a valid body with one bad field is what gets past parsing to the schemas and the database.
  {
    arbitrary: fc.record({ field: fc.nat(), value: weird }).map((r) => ({ kind: "mutate" as const, ...r })),
    weight: 3,
  },
  // A bad value of the kind the field holds (an amount for an amount, an instant for an instant, text for
  // text): what slips past a type check and reaches the column.
  {
    arbitrary: fc.record({ field: fc.nat(), text: controlText, amount, instant }).map((r) => ({
      kind: "typed" as const,
      ...r,
    })),
    weight: 5,
  },
  fc.record({ field: fc.nat() }).map((r) => ({ kind: "drop" as const, ...r })),
  fc.record({
    key: fc.oneof(
      fc.constantFrom("__proto__", "constructor", "prototype", "role", "userId", "id"),
      fc.string(),
      controlText,
    ),
    value: weird,
  }).map((r) => ({ kind: "extra" as const, ...r })),
);

const fuzzCase = fc.record({
  body: bodyCase,
  bearer: fc.oneof({ arbitrary: fc.constant(true), weight: 2 }, { arbitrary: fc.constant(false), weight: 1 }),
  /** Garbage session cookies (sent from "our own page", so the CSRF check lets them through). */
  cookies: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    {
      arbitrary: fc.record({
        // Header values may carry any byte but NUL, CR and LF: other controls and DEL reach the app.
        // deno-lint-ignore no-control-regex -- control characters are what this cookie is for
        access: fc.stringMatching(/^[\x01-\x09\x0b\x0c\x0e-\x3a\x3c-\x7f]{0,400}$/),
        refresh: fc.stringMatching(/^[\x21-\x7e]{0,300}$/),
      }),
      weight: 1,
    },
  ),
  id: fc.oneof(
    fc.uuid().map((value) => ({ value, raw: false })),
    fc.oneof(fc.string({ maxLength: 60 }), controlText).map((value) => ({ value, raw: false })),
    fc.constantFrom("x", "%00", "' or 1=1 --", "a".repeat(500), "00000000-0000-0000-0000-000000000000")
      .map((value) => ({ value, raw: false })),
    // Sent as they are, not encoded again: NUL, a line break, DEL, invalid UTF-8 (an encoded surrogate, an
    // overlong NUL, a stray byte), a truncated escape.
    fc.constantFrom("%00", "a%0Ab", "%7F", "%C2%85", "%ED%A0%80", "%C0%80", "%FF", "%E2%82", "%", "%zz")
      .map((value) => ({ value, raw: true })),
    /** The operation's real row (a plan, a coupon, an account), so validation past the lookup is reached. */
    fc.constant({ value: "", raw: false, known: true }),
  ),
  query: fc.option(
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 10 }), controlText),
      fc.oneof(fc.string({ maxLength: 50 }), controlText, amount.map(String), instant.map(String)),
      { maxKeys: 3 },
    ),
  ),
  /** A raw query string that `URLSearchParams` would never produce. */
  rawQuery: fc.option(
    fc.constantFrom("to=%00", "q=%ED%A0%80", "a=%FF&b=%00", "%00=1", "lastEventId=%00", "x=%"),
  ),
});

interface Built {
  body?: string;
  contentType?: string;
  /** What a typed mutation changed, for the failure report (the body is cut there). */
  changed?: string;
}

type Path = (string | number)[];

/** Every path into `value` (objects and arrays, and their leaves): where a mutation may strike. */
function pathsOf(value: unknown): Path[] {
  const out: Path[] = [];
  const stack: [unknown, Path][] = [[value, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (path.length) out.push(path);
    if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, [...path, i]]));
    else if (typeof v === "object" && v !== null) {
      for (const [k, item] of Object.entries(v)) stack.push([item, [...path, k]]);
    }
  }
  return out;
}

function valueAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}

const AMOUNT = /^-?\d+(\.\d+)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/** The bad value of the same kind as `original`: an amount for an amount, an instant for an instant. */
function typedValue(original: unknown, c: { text: string; amount: unknown; instant: unknown }): unknown {
  if (typeof original !== "string") return typeof original === "number" ? c.amount : c.text;
  if (AMOUNT.test(original)) return c.amount;
  if (INSTANT.test(original)) return c.instant;
  return c.text;
}

/** `value` with the thing at `path` replaced (or removed, with `remove`). */
function setAt(value: Record<string, unknown>, path: Path, replacement: unknown, remove = false) {
  let parent = value as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (!remove) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return value;
}

/** A valid body for the operation and the paths a case may mutate in it. */
interface Template {
  base: () => Record<string, unknown>;
  paths: Path[];
}

function flatTemplate(fields: string[]): Template {
  return { base: () => template(fields), paths: fields.map((f) => [f]) };
}

function nestedTemplate(base: () => Record<string, unknown>): Template {
  return { base, paths: pathsOf(base()) };
}

function buildBody(c: BodyCase, tpl: Template): Built {
  const json = "application/json";
  const base = tpl.base;
  const pick = (i: number): Path => tpl.paths.length ? tpl.paths[i % tpl.paths.length] : ["value"];
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
      return { body: c.raw ? filler : JSON.stringify(setAt(base(), pick(0), filler)), contentType: json };
    }
    case "deep": {
      const nested = deep(c.depth, c.array);
      if (!c.inField) return { body: nested, contentType: json };
      const b = JSON.stringify(setAt(base(), pick(c.depth), "__DEEP__"));
      return { body: b.replace('"__DEEP__"', nested), contentType: json };
    }
    case "mutate":
      return { body: JSON.stringify(setAt(base(), pick(c.field), c.value)), contentType: json };
    case "typed": {
      const body = base();
      const path = pick(c.field);
      const value = typedValue(valueAt(body, path), c);
      return {
        body: JSON.stringify(setAt(body, path, value)),
        contentType: json,
        changed: `${path.join(".")}=${JSON.stringify(value)?.slice(0, 80)} `,
      };
    }
    case "drop":
      return { body: JSON.stringify(setAt(base(), pick(c.field), undefined, true)), contentType: json };
    case "extra":
      return { body: JSON.stringify({ ...base(), [c.key]: c.value }), contentType: json };
  }
}

interface Endpoint {
  name: string;
  pattern: string;
  method: string;
  template: Template;
  /** `Authorization` for a bearer case (a fresh session each time). */
  bearer: () => Promise<string>;
  /** The real row an id case may name instead of a random one. */
  knownId?: string;
  /** Signs the body as a trading connector does (demo-sync). */
  sign?: (raw: string) => string;
}

/** The API routes matching `filter`, one entry per method. */
function operations(app: FreshApp, filter: (pattern: string) => boolean) {
  return app.fileRoutes
    .filter((r) => filter(r.pattern))
    .flatMap((r) =>
      r.methods.filter((m) => m !== "HEAD").map((method) => ({
        pattern: r.pattern,
        method,
        name: `${method} ${r.pattern}`,
        op: (r.module.api as Record<string, ApiOperation> | undefined)?.[method],
      }))
    );
}

/**
 * Runs `runs(endpoint)` fuzz cases against each endpoint; returns the failures (a 5xx, or a 4xx that is not
 * the documented JSON error), one per endpoint × status × problem.
 */
async function fuzzEndpoints(
  t: Deno.TestContext,
  app: FreshApp,
  endpoints: Endpoint[],
  runs: (e: Endpoint) => number,
): Promise<{ cases: number; failures: Map<string, string> }> {
  const seed = Date.now() % 2_147_483_647;
  const failures = new Map<string, string>();
  let cases = 0;
  for (const endpoint of endpoints) {
    const { name, pattern, method } = endpoint;
    const numRuns = runs(endpoint);
    const statuses = new Map<number, number>();
    await t.step(`${name} (${numRuns} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzCase, async (fz) => {
          cases++;
          const built = buildBody(fz.body, endpoint.template);
          const id = "known" in fz.id
            ? endpoint.knownId ?? crypto.randomUUID()
            : fz.id.raw
            ? fz.id.value
            : encodeURIComponent(fz.id.value.isWellFormed() ? fz.id.value : fz.id.value.toWellFormed());
          let path = pattern.replace(/:(\w+)/g, () => id);
          if (fz.query) path += `?${new URLSearchParams(fz.query)}`;
          if (fz.rawQuery) path += `${path.includes("?") ? "&" : "?"}${fz.rawQuery}`;
          const headers = new Headers();
          if (fz.bearer) headers.set("authorization", `Bearer ${await endpoint.bearer()}`);
          if (fz.cookies) {
            headers.set("cookie", `pt_access=${fz.cookies.access}; pt_refresh=${fz.cookies.refresh}`);
            headers.set("sec-fetch-site", "same-origin");
          }
          const hasBody = method !== "GET" && built.body !== undefined;
          if (hasBody && built.contentType) headers.set("content-type", built.contentType);
          if (hasBody && endpoint.sign) headers.set(SYNC_SIGNATURE_HEADER, endpoint.sign(built.body!));
          const res = await client(app).request(path, {
            method,
            headers,
            body: hasBody ? built.body : undefined,
          });
          // An event stream (GET /api/users/stream) never ends on its own: its status and type are the answer.
          const streaming = res.headers.get("content-type")?.startsWith("text/event-stream");
          const text = streaming ? (await res.body?.cancel(), "") : await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const describe = () =>
            `${name} [${fz.body.kind}${fz.bearer ? ", bearer" : ""}${fz.cookies ? ", cookies" : ""}] ` +
            `path=${JSON.stringify(path.slice(0, 120))} ${built.changed ?? ""}` +
            `body=${JSON.stringify((built.body ?? "").slice(0, 200))} ` +
            `→ ${res.status} ${res.headers.get("content-type")} ${text.slice(0, 200)} (seed ${seed})`;
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
  return { cases, failures };
}

Deno.test("auth: fuzzing auth and users endpoints never yields a 5xx or a malformed error", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const user = await signUp(app);
    const bearer = async () => (await newSession(deps, { userId: user.userId, role: "trader" })).accessToken;
    const endpoints: Endpoint[] = operations(app, (p) => /^\/api\/(auth|users)(\/|$)/.test(p))
      .map(({ name, pattern, method, op }) => ({
        name,
        pattern,
        method,
        template: flatTemplate(fieldsOf(op)),
        bearer,
      }));
    assert.ok(endpoints.length >= 10, `expected the auth and users endpoints, found ${endpoints.length}`);
    const { cases, failures } = await fuzzEndpoints(
      t,
      app,
      endpoints,
      (e) => SLOW.has(e.name) ? SLOW_RUNS : RUNS,
    );
    console.log(`fuzz: ${cases} cases over ${endpoints.length} endpoints, ${failures.size} failures`);
    assert.deepEqual([...failures.values()], [], [...failures.values()].join("\n"));
  } finally {
    await close();
  }
});

/** A trader nobody else uses (no Argon2: the row is written directly), so per-user budgets start full. */
async function freshTrader(deps: Deps): Promise<string> {
  const [{ id }] = await deps.db.sql<{ id: string }[]>`
    insert into users (email, password_hash, first_name, last_name)
    values (${uniqueEmail("fuzz")}, 'not-a-hash', 'Fuzz', 'Trader') returning id`;
  return (await newSession(deps, { userId: id, role: "trader" })).accessToken;
}

/** Valid bodies of the other operations, so a case that mutates one field leaves the rest valid. */
function nestedTemplates(
  ids: { planId: string; accountId: string },
): Record<string, () => Record<string, unknown>> {
  const plan = () => {
    const body = structuredClone(demoPlans().find((p) => p.slug === "two-step-100k")!.body);
    return { ...body, name: `Fuzz ${crypto.randomUUID().slice(0, 8)}` } as Record<string, unknown>;
  };
  const now = () => new Date(Date.now() - 1_000).toISOString();
  const events = () => {
    const trade = `t-${crypto.randomUUID().slice(0, 8)}`;
    const id = () => `fz-${crypto.randomUUID()}`;
    return [
      {
        type: "trade_open",
        id: id(),
        at: now(),
        tradeId: trade,
        symbol: "EURUSD",
        direction: "buy",
        volume: "1.00",
        price: "1.08000",
      },
      { type: "trade_close", id: id(), at: now(), tradeId: trade, price: "1.09000", pnl: "120.50" },
      { type: "equity", id: id(), at: now(), equity: "100120.50", balance: "100120.50" },
    ];
  };
  const coupon = () => ({
    code: `FZ${crypto.randomUUID().slice(0, 8)}`,
    kind: "amount",
    value: "10.00",
    currency: "USD",
    planIds: [ids.planId],
    startsAt: "2026-01-01T00:00:00Z",
    expiresAt: "2030-01-01T00:00:00Z",
    maxRedemptions: 100,
    maxPerUser: 1,
    active: true,
  });
  return {
    "POST /api/admin/plans": () => ({ family: "Fuzz", ...plan() }),
    "PUT /api/admin/plans/:id": () => ({ family: "Fuzz", ...plan() }),
    "PATCH /api/admin/plans/:id": () => ({ active: true, family: "Fuzz" }),
    "POST /api/admin/coupons": coupon,
    "PATCH /api/admin/coupons/:id": () => ({
      active: true,
      expiresAt: "2031-01-01T00:00:00Z",
      maxRedemptions: 50,
    }),
    "PUT /api/admin/accounts/:id": () => ({ action: "reinstate", reason: "Fuzzing the back office." }),
    "POST /api/trading/demo-sync": () => ({ accountId: ids.accountId, events: events() }),
    "POST /api/rules/simulate": () => ({
      plan: plan(),
      phase: 0,
      startAt: "2026-03-02T00:00:00Z",
      until: "2026-03-04T00:00:00Z",
      events: events().map((e) => ({ ...e, at: "2026-03-02T10:00:00Z" })),
    }),
    "POST /api/challenges/purchase": () => ({ planId: ids.planId, coupon: null }),
  };
}

Deno.test("api: fuzzing every other endpoint (plans, coupons, demo-sync, simulator…) never yields a 5xx", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const admin = await makeStaff(deps, "admin");
    const owner = await signUp(app);
    const { accountId, planId } = await openTestAccount(deps.db, owner.userId);
    const couponCode = `FZ${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    const [{ id: couponId }] = await deps.db.sql<{ id: string }[]>`
      insert into coupons (code, kind, value) values (${couponCode}, 'percent', 10) returning id`;
    const templates = nestedTemplates({ planId, accountId });
    const staffBearer = async () =>
      (await newSession(deps, { userId: admin.userId, role: "admin" })).accessToken;
    const secret = deps.config.syncSecret;
    const endpoints: Endpoint[] = operations(
      app,
      (p) => p.startsWith("/api/") && !/^\/api\/(auth|users)(\/|$)/.test(p),
    ).map(({ name, pattern, method, op }) => {
      const access = op?.access;
      const staffOnly = Array.isArray(access) && !access.includes("trader");
      const known = pattern.startsWith("/api/admin/plans")
        ? planId
        : pattern.startsWith("/api/admin/coupons")
        ? couponId
        // Never the stream: a case that opens it would wait for the next change forever.
        : pattern.startsWith("/api/admin/accounts")
        ? accountId
        : undefined;
      return {
        name,
        pattern,
        method,
        template: templates[name] ? nestedTemplate(templates[name]) : flatTemplate(fieldsOf(op)),
        bearer: staffOnly ? staffBearer : () => freshTrader(deps),
        knownId: known,
        sign: pattern === "/api/trading/demo-sync" ? (raw: string) => signSync(secret, raw) : undefined,
      };
    });
    for (const name of ["POST /api/admin/plans", "POST /api/admin/coupons", "POST /api/trading/demo-sync"]) {
      assert.ok(endpoints.some((e) => e.name === name), `${name} is not fuzzed`);
    }
    const { cases, failures } = await fuzzEndpoints(t, app, endpoints, (e) => BUDGETED[e.name] ?? RUNS);
    console.log(`fuzz: ${cases} cases over ${endpoints.length} endpoints, ${failures.size} failures`);
    assert.deepEqual([...failures.values()], [], [...failures.values()].join("\n"));
  } finally {
    await close();
  }
});
