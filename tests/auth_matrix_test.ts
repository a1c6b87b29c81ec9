/**
 * The authorization matrix, generated from the app's own route table: every API operation × every persona.
 * A route that answers a method without declaring its `access` fails here, so a new endpoint cannot ship
 * without a rule. Requests carry `{}` bodies, so handlers mostly stop at validation; the statuses that
 * matter are 401/403 (who may call it) and 5xx (never).
 */
import assert from "node:assert/strict";
import type { Access } from "../lib/access.ts";
import type { ApiOperation } from "../lib/api.ts";
import type { RouteInfo } from "../lib/define.ts";
import { type Role, ROLES } from "../services/auth/roles.ts";
import { createOrPromoteStaff } from "../services/auth/staff.ts";
import { login } from "../services/auth/accounts.ts";
import { openTestApp } from "./helpers/app.ts";
import { pngBytes, uploadDocument } from "./helpers/kyc.ts";
import {
  client,
  makeStaff,
  randomIp,
  signUp,
  strongPassword,
  type TestClient,
  uniqueEmail,
} from "./helpers/client.ts";

interface Persona {
  name: string;
  role: string | null;
  /** Staff who have not enrolled 2FA: refused every staff operation until they do. */
  without2fa?: boolean;
  bearer?: string;
  client: TestClient;
}

interface Operation {
  pattern: string;
  method: string;
  path: string;
  access: Access;
  declares401: boolean;
}

/** Operations that end the caller's own session: run after everything else, per persona. */
const SESSION_ENDING = new Set(["POST /api/auth/logout"]);

function fillParams(pattern: string): string {
  return pattern
    .replace(/:(\w+)\{[^}]*\}/g, () => crypto.randomUUID())
    .replace(/\*$/, crypto.randomUUID())
    .replace(/:(\w+)/g, () => crypto.randomUUID());
}

function collectOperations(routes: readonly RouteInfo[]): { operations: Operation[]; problems: string[] } {
  const operations: Operation[] = [];
  const problems: string[] = [];
  for (const route of routes) {
    if (!route.pattern.startsWith("/api/")) continue;
    for (const method of route.methods) {
      if (method === "HEAD") continue;
      const spec = route.module.api as Record<string, ApiOperation | undefined> | undefined;
      const op = spec?.[method];
      if (!op || op.access === undefined) {
        problems.push(`${method} ${route.pattern} has no api.${method}.access declaration`);
        continue;
      }
      const access = op.access;
      const validAccess = access === "public" || access === "authenticated" ||
        (Array.isArray(access) && access.length > 0 &&
          access.every((r) => (ROLES as readonly string[]).includes(r)));
      if (!validAccess) {
        problems.push(`${method} ${route.pattern} declares an invalid access ${JSON.stringify(access)}`);
        continue;
      }
      operations.push({
        pattern: route.pattern,
        method,
        path: fillParams(route.pattern),
        access,
        declares401: 401 in (op.responses ?? {}),
      });
    }
    // Methods a module declares but does not answer are documentation lies.
    const spec = route.module.api as Record<string, unknown> | undefined;
    for (const declared of Object.keys(spec ?? {})) {
      if (!route.methods.includes(declared as never)) {
        problems.push(`${route.pattern} declares api.${declared} but answers no ${declared}`);
      }
    }
  }
  return { operations, problems };
}

/** What a persona may get for an operation, or a reason the status breaks the rule. */
function judge(op: Operation, persona: Persona, status: number, body: string): string | null {
  if (status >= 500) return `5xx`;
  const { access } = op;
  const signedIn = persona.role !== null;
  if (access === "public") {
    if (status === 403) return "403 on a public operation";
    if (status === 401 && !op.declares401) return "401 on a public operation that declares no 401";
    return null;
  }
  if (!signedIn) return status === 401 ? null : `anonymous got ${status}, want 401`;
  if (persona.without2fa && access !== "authenticated" && access.includes(persona.role!)) {
    if (status !== 403) return `${persona.role} without 2FA got ${status}, want 403`;
    if (!body.includes('"code":"two_factor_enrollment_required"')) {
      return "403 without the two_factor_enrollment_required error body";
    }
    return null;
  }
  const allowed = access === "authenticated" || access.includes(persona.role!);
  if (allowed) {
    if (status === 401 || status === 403) return `${persona.role} is allowed but got ${status}`;
    return null;
  }
  if (status !== 403) return `${persona.role} is not in ${JSON.stringify(access)} but got ${status}`;
  if (!body.includes('"code":"forbidden"')) return "403 without the forbidden error body";
  return null;
}

Deno.test("auth: authorization matrix over every API operation", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const { operations, problems } = collectOperations(app.fileRoutes);

    await t.step("self-check: the collector flags routes without an access rule", () => {
      const handlerOnly = { handler: {} };
      const fake = [
        { pattern: "/api/new-thing", methods: ["GET", "HEAD", "POST"], module: handlerOnly },
        {
          pattern: "/api/half",
          methods: ["GET", "DELETE"],
          module: { api: { GET: { summary: "", access: "public", responses: {} } } },
        },
        { pattern: "/api/odd", methods: ["PUT"], module: { api: { PUT: { access: [], responses: {} } } } },
        { pattern: "/pages/ignored", methods: ["GET"], module: {} },
      ] as unknown as RouteInfo[];
      const found = collectOperations(fake);
      assert.deepEqual(found.problems, [
        "GET /api/new-thing has no api.GET.access declaration",
        "POST /api/new-thing has no api.POST.access declaration",
        "DELETE /api/half has no api.DELETE.access declaration",
        "PUT /api/odd declares an invalid access []",
      ]);
      assert.deepEqual(found.operations.map((o) => `${o.method} ${o.pattern}`), ["GET /api/half"]);

      // The expectations for a role list (no API operation has one yet; the admin API will).
      const op = { ...found.operations[0], access: ["support", "admin"] as const };
      const who = (role: string | null) => ({ name: role ?? "anonymous", role, client: null! }) as Persona;
      const forbidden = '{"error":{"code":"forbidden","message":"x"}}';
      assert.equal(judge(op, who(null), 401, ""), null);
      assert.ok(judge(op, who(null), 403, forbidden));
      assert.equal(judge(op, who("trader"), 403, forbidden), null);
      assert.ok(judge(op, who("trader"), 200, "{}"));
      assert.ok(judge(op, who("trader"), 404, "{}"));
      assert.equal(judge(op, who("admin"), 422, "{}"), null);
      assert.ok(judge(op, who("admin"), 403, forbidden));
      assert.ok(judge(op, who("support"), 500, "{}"));
      // Staff without 2FA: refused with the enrolment code on their own operations, forbidden elsewhere.
      const unenrolled = (role: string) => ({ ...who(role), without2fa: true });
      const enrol = '{"error":{"code":"two_factor_enrollment_required","message":"x"}}';
      assert.equal(judge(op, unenrolled("admin"), 403, enrol), null);
      assert.ok(judge(op, unenrolled("admin"), 422, "{}"));
      assert.ok(judge(op, unenrolled("admin"), 403, forbidden));
      assert.equal(judge(op, unenrolled("risk"), 403, forbidden), null);
      assert.equal(judge({ ...op, access: "authenticated" }, unenrolled("admin"), 422, "{}"), null);
    });

    await t.step("every API route method declares its access", () => {
      assert.deepEqual(problems, [], problems.join("\n"));
      assert.ok(operations.length > 0, "no API operations found in app.fileRoutes");
      // The dashboard's reads (issue #11): any signed-in user, scoped to their own accounts inside.
      for (
        const name of [
          "GET /api/trading/history",
          "GET /api/trading/statistics",
          "GET /api/accounts/:id/equity",
          // The venue (issue #14): the owner only, 404 for anyone else (tests/venue_api_test.ts).
          "GET /api/venue/accounts/:id",
          "POST /api/venue/accounts/:id/orders",
          "DELETE /api/venue/accounts/:id/orders/:orderId",
          "PATCH /api/venue/accounts/:id/positions/:positionId",
          "POST /api/venue/accounts/:id/positions/:positionId/close",
        ]
      ) {
        const op = operations.find((o) => `${o.method} ${o.pattern}` === name);
        assert.equal(op?.access, "authenticated", `${name} is in the matrix as "authenticated"`);
      }
    });

    const traderA = await signUp(app);
    const traderB = await signUp(app);
    const support = await makeStaff(deps, "support");
    const admin = await makeStaff(deps, "admin");
    // As `deno task admin:create` leaves them: a password, no second factor yet.
    const unenrolled = async (role: Role) => {
      const email = uniqueEmail(role);
      const password = strongPassword();
      const actor = { userId: null, ip: randomIp(), userAgent: "proptrade-tests" };
      await createOrPromoteStaff(deps.db, { email, role, password }, actor);
      return await login(deps, { email, password }, actor);
    };
    const supportNo2fa = await unenrolled("support");
    const adminNo2fa = await unenrolled("admin");

    await t.step("cross-user: trader B cannot see or revoke trader A's session", async () => {
      const b = traderB.client;
      const revoke = await b.json("DELETE", `/api/users/sessions/${traderA.sessionId}`, undefined, {
        bearer: traderB.accessToken,
      });
      const revokeBody = await revoke.text();
      assert.equal(revoke.status, 404, `B revoking A's session: ${revoke.status} ${revokeBody}`);
      assert.match(revokeBody, /"code":"not_found"/);
      // A's session is still alive.
      const aProfile = await traderA.client.json("GET", "/api/users/profile", undefined, {
        bearer: traderA.accessToken,
      });
      assert.equal(aProfile.status, 200);
      await aProfile.body?.cancel();

      const list = await b.json("GET", "/api/users/sessions", undefined, { bearer: traderB.accessToken });
      assert.equal(list.status, 200);
      const { sessions } = await list.json() as { sessions: { id: string; current: boolean }[] };
      const ids = sessions.map((s) => s.id);
      assert.ok(!ids.includes(traderA.sessionId), "B's session list contains A's session");
      const own = await deps.db.sql<{ id: string }[]>`
        select id from auth_sessions where user_id = ${traderB.userId} and revoked_at is null`;
      assert.deepEqual(ids.toSorted(), own.map((r) => r.id).toSorted(), "B sees exactly B's live sessions");
      assert.deepEqual(sessions.filter((s) => s.current).map((s) => s.id), [traderB.sessionId]);

      const profile = await b.json("GET", "/api/users/profile", undefined, { bearer: traderB.accessToken });
      const p = await profile.json();
      assert.equal(p.id, traderB.userId);
      assert.equal(p.email, traderB.email);

      // A's own revoke of a session of A works (the 404 above is about ownership, not the route).
      const extra = await traderA.client.json("GET", "/api/users/sessions", undefined, {
        bearer: traderA.accessToken,
      });
      assert.ok((await extra.json()).sessions.some((s: { id: string }) => s.id === traderA.sessionId));
    });

    await t.step("cross-user: trader B cannot view trader A's KYC document, even with A's link", async () => {
      const upload = await uploadDocument(
        traderA.client,
        traderA.accessToken,
        "identity_front",
        new File([pngBytes()], "a.png"),
      );
      assert.equal(upload.status, 201);
      const { url } = await upload.json();
      const link = new URL(url, "http://localhost");
      const asB = await traderB.client.request(link.pathname + link.search, {
        headers: { authorization: `Bearer ${traderB.accessToken}` },
      });
      assert.equal(asB.status, 404);
      assert.match(await asB.text(), /"code":"not_found"/);
      const asA = await traderA.client.request(link.pathname + link.search, {
        headers: { authorization: `Bearer ${traderA.accessToken}` },
      });
      assert.equal(asA.status, 200);
      await asA.body?.cancel();
    });

    const personas: Persona[] = [
      { name: "anonymous", role: null, client: client(app) },
      { name: "trader A", role: "trader", bearer: traderA.accessToken, client: client(app) },
      { name: "trader B", role: "trader", bearer: traderB.accessToken, client: client(app) },
      { name: "support", role: "support", bearer: support.accessToken, client: client(app) },
      { name: "admin", role: "admin", bearer: admin.accessToken, client: client(app) },
      {
        name: "support without 2FA",
        role: "support",
        without2fa: true,
        bearer: supportNo2fa.accessToken,
        client: client(app),
      },
      {
        name: "admin without 2FA",
        role: "admin",
        without2fa: true,
        bearer: adminNo2fa.accessToken,
        client: client(app),
      },
    ];
    const ordered = [
      ...operations.filter((op) => !SESSION_ENDING.has(`${op.method} ${op.pattern}`)),
      ...operations.filter((op) => SESSION_ENDING.has(`${op.method} ${op.pattern}`)),
    ];

    await t.step(`matrix: ${operations.length} operations × ${personas.length} personas`, async () => {
      const failures: string[] = [];
      let cases = 0;
      for (const persona of personas) {
        for (const op of ordered) {
          cases++;
          const withBody = op.method !== "GET";
          const res = await persona.client.json(op.method, op.path, withBody ? {} : undefined, {
            bearer: persona.bearer,
          });
          // An event stream (GET /api/users/stream) never ends on its own: its status is the answer.
          const streaming = res.headers.get("content-type")?.startsWith("text/event-stream");
          const body = streaming ? (await res.body?.cancel(), "") : await res.text();
          const problem = judge(op, persona, res.status, body);
          if (problem) {
            failures.push(
              `${persona.name}: ${op.method} ${op.path} [access ${JSON.stringify(op.access)}] → ` +
                `${res.status} ${body.slice(0, 200)} — ${problem}`,
            );
          }
        }
      }
      console.log(
        `matrix: ${operations.length} operations × ${personas.length} personas = ${cases} cases, ` +
          `${failures.length} failures`,
      );
      assert.deepEqual(failures, [], failures.join("\n"));
    });
  } finally {
    await close();
  }
});
