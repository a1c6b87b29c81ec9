import assert from "node:assert/strict";
import type { Db } from "../../db/client.ts";
import { orderGate } from "./order_gate.ts";

Deno.test("order gate: marks wait for the orders in flight, never longer than their bound", async () => {
  const gate = orderGate({} as Db);
  const order = <T>(value: T) => gate.run(() => Promise.resolve(value));
  let clear = false;
  await gate.clear(10_000); // nothing in flight: at once
  assert.equal(gate.busy, false);
  let finish!: () => void;
  const inFlight = gate.run(() => new Promise<void>((r) => finish = r));
  assert.equal(gate.busy, true);
  const waiting = gate.clear(10_000).then(() => clear = true);
  await order(1); // another order coming and going does not clear the one still in flight
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(clear, false);
  finish();
  await inFlight;
  await waiting;
  assert.equal(clear, true);
  assert.equal(gate.busy, false);
  // A steady stream delays, never stops: the bound ends the wait.
  let never!: () => void;
  const stuck = gate.run(() => new Promise<void>((r) => never = r));
  const t0 = performance.now();
  await gate.clear(30);
  assert.ok(performance.now() - t0 >= 25);
  never();
  await stuck;
  assert.equal(await order("x"), "x");
});
