import assert from "node:assert/strict";
import { platformSchema, platformStep } from "./trade_platform.ts";

const MT5 = { name: "MetaTrader 5", version: "5.0.4200" };

Deno.test("platformStep: the first name is recorded, then fixed; the version follows; nothing named, nothing done", () => {
  assert.deepEqual(platformStep(null, undefined), { kind: "keep" });
  assert.deepEqual(platformStep(MT5, undefined), { kind: "keep" });
  assert.deepEqual(platformStep(null, { name: "cTrader" }), {
    kind: "write",
    platform: { name: "cTrader", version: null },
  });
  assert.deepEqual(platformStep(null, MT5), { kind: "write", platform: MT5 });
  assert.deepEqual(platformStep(MT5, MT5), { kind: "keep" });
  // No version named: the stored one stays (absent is "not said", not "none").
  assert.deepEqual(platformStep(MT5, { name: "MetaTrader 5" }), { kind: "keep" });
  // Same platform in another case: the stored spelling stays, a new version is taken.
  assert.deepEqual(platformStep(MT5, { name: "metatrader 5", version: "5.0.4300" }), {
    kind: "write",
    platform: { name: "MetaTrader 5", version: "5.0.4300" },
  });
  assert.deepEqual(platformStep(MT5, { name: "cTrader", version: "5.0.4200" }), {
    kind: "conflict",
    stored: MT5,
  });
});

Deno.test("platformSchema: one printable, bounded line per field; anything else is refused by path", () => {
  assert.deepEqual(platformSchema.parse({ name: "  Match-Trader ", version: "2.1" }), {
    name: "Match-Trader",
    version: "2.1",
  });
  assert.deepEqual(platformSchema.parse({ name: 'NinjaTrader 8 <beta> & "co"' }), {
    name: 'NinjaTrader 8 <beta> & "co"',
  });
  const refused = (input: unknown) => {
    const r = platformSchema.safeParse(input);
    assert.equal(r.success, false, JSON.stringify(input));
    return r.error!.issues.map((i) => i.path.join("."));
  };
  assert.deepEqual(refused({ name: "" }), ["name"]);
  assert.deepEqual(refused({ name: "   " }), ["name"]);
  assert.deepEqual(refused({ name: "x".repeat(65) }), ["name"]);
  assert.deepEqual(refused({ name: "MT5", version: "1".repeat(33) }), ["version"]);
  assert.deepEqual(refused({ name: "MT5\nFake" }), ["name"]);
  assert.deepEqual(refused({ name: "MT5\u0000" }), ["name"]);
  assert.deepEqual(refused({ name: "MT5\u202Eevil" }), ["name"]); // a bidi override
  assert.deepEqual(refused({ name: "MT\u200B5" }), ["name"]); // zero-width space
  assert.deepEqual(refused({ name: "MT5\u2028x" }), ["name"]);
  assert.deepEqual(refused({ name: "MT5", version: "" }), ["version"]);
  assert.deepEqual(refused({ name: 5 }), ["name"]);
  assert.deepEqual(refused({ name: "MT5", build: "1" }), [""]);
  assert.ok(refused("MetaTrader 5").length > 0);
  assert.equal(platformSchema.safeParse({ name: "x".repeat(64), version: "1".repeat(32) }).success, true);
});
