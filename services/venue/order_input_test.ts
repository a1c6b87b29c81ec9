import assert from "node:assert/strict";
import { closeInput, orderInput, protectionInput } from "./order_input.ts";

Deno.test("venue input: a non-number volume, price, SL or TP is an error on its field, never a throw", () => {
  // Found by the API fuzzer: the range checks ran on "x" and threw, so the endpoints answered 500.
  const protection = protectionInput.safeParse({ sl: "x", tp: null });
  assert.equal(protection.success, false);
  assert.deepEqual(protection.error?.issues.map((i) => i.path.join(".")), ["sl"]);

  const close = closeInput.safeParse({ volume: "x" });
  assert.equal(close.success, false);
  assert.deepEqual(close.error?.issues.map((i) => i.path.join(".")), ["volume"]);

  const order = orderInput.safeParse({
    symbol: "EURUSD",
    direction: "buy",
    type: "limit",
    volume: "x",
    price: "x",
    sl: "x",
    tp: "x",
  });
  assert.equal(order.success, false);
  assert.deepEqual(
    new Set(order.error?.issues.map((i) => i.path.join("."))),
    new Set(["volume", "price", "sl", "tp"]),
  );

  // The ranges still hold for well-formed numbers.
  assert.equal(closeInput.safeParse({ volume: "0.00" }).success, false);
  assert.equal(closeInput.safeParse({ volume: "0.10" }).success, true);
  assert.equal(protectionInput.safeParse({ sl: "0", tp: null }).success, false);
});
