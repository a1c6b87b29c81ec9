/**
 * Path parameters are part of an operation's contract (`params` in `defineApi`): an id of the wrong shape
 * names nothing, so it answers exactly as an id that names nothing — 404 `not_found`, same message — and
 * before the body is read, so a request bad in both gets the 404. Ids cannot be probed by their shape, and a
 * client has one answer for "no such thing". Enumerated from the app's route table: a new `:id` route is
 * covered without being listed here (only a valid body for it must be).
 */
import assert from "node:assert/strict";
import type { ApiOperation } from "../lib/api.ts";
import type { RouteInfo } from "../lib/define.ts";
import { demoPlans } from "../services/demo/seed.ts";
import { openTestApp } from "./helpers/app.ts";
import { client, makeStaff } from "./helpers/client.ts";

/** A body each operation with a body accepts, so an unknown id gets past validation to the lookup. */
function validBodies(): Record<string, unknown> {
  const plan = structuredClone(demoPlans().find((p) => p.slug === "two-step-100k")!.body);
  return {
    "PUT /api/admin/accounts/:id": { action: "reinstate", reason: "Checking how unknown ids answer." },
    "PATCH /api/admin/coupons/:id": { active: false },
    "PUT /api/admin/plans/:id": { ...plan, name: `Params Test ${crypto.randomUUID().slice(0, 8)}` },
    "PATCH /api/admin/plans/:id": { active: false },
    "PUT /api/admin/payouts/:id": { action: "approve" },
    "PUT /api/admin/kyc/:id": { action: "approve" },
    "POST /api/accounts/:id/what-if": { question: "loss_to_breach" },
    "PUT /api/admin/instruments/:symbol": {
      name: "Params test",
      contractSize: "1",
      tickSize: "0.01",
      quoteCurrency: "USD",
      spread: "0.10",
      commissionPerLot: "0",
      leverage: 10,
      volatility: "0.0001",
      referencePrice: "100.00",
      hours: "24/7",
      active: true,
    },
    "POST /api/venue/accounts/:id/orders": {
      symbol: "EURUSD",
      direction: "buy",
      type: "market",
      volume: "0.10",
    },
    "PATCH /api/venue/accounts/:id/positions/:positionId": { sl: null, tp: null },
    "POST /api/venue/accounts/:id/positions/:positionId/close": {},
  };
}

interface ParamOperation {
  key: string;
  method: string;
  pattern: string;
  names: string[];
  op: ApiOperation;
}

function paramOperations(routes: readonly RouteInfo[]): ParamOperation[] {
  const found: ParamOperation[] = [];
  for (const route of routes) {
    if (!route.pattern.startsWith("/api/")) continue;
    const names = [...route.pattern.matchAll(/:(\w+)/g)].map(([, name]) => name);
    if (names.length === 0) continue;
    const spec = route.module.api as Record<string, ApiOperation | undefined> | undefined;
    for (const method of route.methods) {
      const op = spec?.[method];
      if (method === "HEAD" || !op) continue;
      found.push({ key: `${method} ${route.pattern}`, method, pattern: route.pattern, names, op });
    }
  }
  return found;
}

function path(pattern: string, id: string): string {
  return pattern.replace(/:(\w+)/g, id);
}

Deno.test("API path params: a malformed id answers exactly like an unknown one, before the body", async (t) => {
  const { app, deps, close } = await openTestApp();
  try {
    const operations = paramOperations(app.fileRoutes);
    const bodies = validBodies();
    // Admin may call every operation here (staff read any account), so no 403 hides the answer.
    const admin = await makeStaff(deps, "admin");
    const c = client(app);

    await t.step("every operation on a path with parameters declares them in `params`", () => {
      assert.ok(operations.length >= 7, `only ${operations.length} operations with path params found`);
      const problems = operations.flatMap(({ key, names, op }) => {
        if (!op.params) return [`${key} declares no params`];
        const shape = (op.params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
        const declared = Object.keys(shape).toSorted();
        return declared.join() === names.toSorted().join()
          ? []
          : [`${key} declares params ${declared.join(",")}, the path has ${names.join(",")}`];
      });
      assert.deepEqual(problems, [], problems.join("\n"));
    });

    await t.step("every operation with a body has a valid one listed here", () => {
      const missing = operations.filter(({ key, op }) => op.body && !(key in bodies)).map(({ key }) => key);
      assert.deepEqual(missing, []);
    });

    for (const { key, method, pattern } of operations) {
      await t.step(key, async () => {
        const withBody = method !== "GET" && method !== "DELETE";
        const unknown = await c.json(
          method,
          path(pattern, crypto.randomUUID()),
          withBody ? bodies[key] : undefined,
          { bearer: admin.accessToken },
        );
        const unknownText = await unknown.text();
        assert.equal(unknown.status, 404, `unknown id: ${unknown.status} ${unknownText}`);
        assert.equal(JSON.parse(unknownText).error.code, "not_found");

        for (const bad of ["not-an-id", "1", crypto.randomUUID().slice(0, 35) + "x"]) {
          // An invalid body as well: the id is judged first.
          const malformed = await c.json(method, path(pattern, bad), withBody ? { nonsense: 1 } : undefined, {
            bearer: admin.accessToken,
          });
          assert.equal(malformed.headers.get("content-type"), "application/json");
          const text = await malformed.text();
          assert.equal(malformed.status, 404, `id ${bad}: ${malformed.status} ${text}`);
          assert.deepEqual(
            JSON.parse(text),
            JSON.parse(unknownText),
            `id ${bad} answers unlike an unknown id`,
          );
        }
      });
    }
  } finally {
    await close();
  }
});
