import assert from "node:assert/strict";
import { compileRules } from "../engine/rules.ts";
import { initialState } from "../engine/state.ts";
import { close, mark, open, t, topstep50k } from "../engine/testing.ts";
import { advance, directiveOf } from "./advance.ts";

const withIds = (events: ReturnType<typeof open>[]) => events.map((event, i) => ({ id: `e${i}`, event }));

Deno.test("advance steps every reset, so each trading day gets its statistics row", () => {
  const rules = compileRules(topstep50k(), 0);
  const start = initialState(rules, t("2026-03-02T15:00:00Z")); // Chicago 17:00 = 23:00Z
  const out = advance(
    start,
    rules,
    withIds([
      open("a", "2026-03-02T16:00:00Z"),
      close("a", "250.00", "2026-03-02T16:30:00Z"),
      mark("50250.00", "50250.00", "2026-03-05T15:00:00Z"),
    ]),
  );
  assert.deepEqual([...out.days.keys()], ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
  const first = out.days.get("2026-03-02")!;
  assert.deepEqual([first.pnl, first.tradesOpened, first.closeBalance], [25_000n, 1, 5_025_000n]);
  assert.equal(out.days.get("2026-03-03")!.sodBalance, 5_025_000n);
  assert.deepEqual(out.versions, [1, 2, 6]); // three resets rolled before the mark
});

Deno.test("a trade opened while paused is a violation; the directive asks to flatten", () => {
  const rules = compileRules(topstep50k(), 0);
  const start = initialState(rules, t("2026-03-03T14:00:00Z"));
  const out = advance(
    start,
    rules,
    withIds([
      open("a", "2026-03-03T14:10:00Z"),
      mark("48999.99", "50000.00", "2026-03-03T14:20:00Z"),
      open("b", "2026-03-03T14:30:00Z"),
    ]),
  );
  assert.equal(out.state.status, "paused");
  assert.deepEqual(out.violations, [{
    eventId: "e2",
    tradeId: "b",
    rule: "trading_blocked",
    status: "paused",
    at: "2026-03-03T14:30:00.000Z",
    until: "2026-03-03T23:00:00.000Z",
  }]);
  assert.deepEqual(out.opens.map((o) => o.blocked), [false, true]);
  assert.deepEqual(directiveOf(out.state), {
    allowed: false,
    reason: "paused",
    until: "2026-03-03T23:00:00.000Z",
    closeAll: true,
    openPositions: ["a", "b"],
  });
});
