import assert from "node:assert/strict";
import { applyEvent } from "./evaluate.ts";
import { fromMinor } from "../money.ts";
import type { DailyLossRule } from "../plans/definition.ts";
import { close, mark, open, planWith, run, tick } from "./testing.ts";

/**
 * Every anchor × basis × action of the daily loss, on a 100K account with a fixed 5,000.00 (5 % of B0).
 * Day one ends at 101,000.00 balance with an open position; day two's anchor depends on the rule.
 */
const ANCHORS = ["sod_balance", "sod_equity", "sod_max", "initial"] as const;
const SCENARIOS = {
  // Equity at the reset below the balance (open loss), then above it (open profit).
  "open loss at reset": { eodEquity: "100400.00", anchors: [101_000, 100_400, 101_000, 100_000] },
  "open profit at reset": { eodEquity: "101600.00", anchors: [101_000, 101_600, 101_600, 100_000] },
};

const money = (units: number, cents = 0) => fromMinor(BigInt(units) * 100n + BigInt(cents));
const minus1c = (units: number) => fromMinor(BigInt(units) * 100n - 1n);

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  Deno.test(`daily loss matrix (${name}): anchor × basis × action`, async (t) => {
    for (const [i, anchor] of ANCHORS.entries()) {
      for (const on of ["equity", "balance"] as const) {
        for (const action of ["fail", "pause"] as const) {
          await t.step(`${anchor} on ${on}, ${action}`, () => {
            const dailyLoss: DailyLossRule = { percent: "5", of: "initial", anchor, on, action };
            const { state, rules } = run(planWith({ dailyLoss }), "2026-06-01T06:00:00Z", [
              open("a", "2026-06-01T07:00:00Z"),
              close("a", "1000.00", "2026-06-01T08:00:00Z"),
              open("b", "2026-06-01T09:00:00Z"),
              mark(scenario.eodEquity, "101000.00", "2026-06-01T21:00:00Z"),
              tick("2026-06-01T22:00:00Z"),
            ]);
            const anchorValue = scenario.anchors[i];
            const floor = anchorValue - 5000;
            assert.equal(fromMinor(state.day.anchor!), money(anchorValue));
            assert.equal(fromMinor(state.dailyFloor!), money(floor));

            // At the floor on the compared value: fine, even with the other value far below it.
            const far = money(floor - 3000);
            const atFloor = on === "equity" ? mark(money(floor), far, "2026-06-02T08:00:00Z") : mark(
              far,
              money(floor),
              "2026-06-02T08:00:00Z",
            );
            const ok = applyEvent(state, atFloor, rules);
            assert.equal(ok.state.status, "active");
            assert.deepEqual(ok.verdicts, []);

            // One cent below: the rule's action.
            const below = on === "equity"
              ? mark(minus1c(floor), money(floor), "2026-06-02T08:01:00Z")
              : mark(money(floor), minus1c(floor), "2026-06-02T08:01:00Z");
            const hit = applyEvent(ok.state, below, rules);
            const verdict = hit.verdicts[0];
            const facts = { floor: money(floor), observed: minus1c(floor), basis: on, action };
            if (action === "fail") {
              assert.equal(hit.state.status, "failed");
              assert.ok(verdict?.type === "breach");
              assert.deepEqual(hit.state.breach, verdict.evidence);
            } else {
              assert.equal(hit.state.status, "paused");
              assert.equal(hit.state.breach, null);
              assert.ok(verdict?.type === "paused");
              assert.equal(verdict.until, "2026-06-02T22:00:00.000Z");
              // The live path would have closed the positions; left open, the value is re-checked at the
              // reset against the new anchor: an `initial` anchor has not moved, so the pause starts again.
              const resumed = applyEvent(hit.state, tick("2026-06-02T22:00:00Z"), rules);
              const again = anchor === "initial";
              assert.equal(resumed.state.status, again ? "paused" : "active");
              assert.deepEqual(
                resumed.verdicts.map((v) => v.type),
                again ? ["resumed", "paused"] : ["resumed"],
              );
            }
            assert.deepEqual(
              {
                floor: verdict.evidence.floor,
                observed: verdict.evidence.observed,
                basis: verdict.evidence.basis,
                action: verdict.evidence.action,
              },
              facts,
            );
            assert.deepEqual(verdict.evidence.anchor, { kind: anchor, value: money(anchorValue) });
          });
        }
      }
    }
  });
}

Deno.test("daily loss as a fixed amount below the anchor (Topstep-style $1,000) and as % of the anchor", () => {
  const fixed = run(
    planWith({ dailyLoss: { amount: "1000.00", anchor: "sod_equity", on: "equity", action: "fail" } }),
    "2026-06-01T06:00:00Z",
    [
      open("a", "2026-06-01T07:00:00Z"),
      mark("100250.50", "100000.00", "2026-06-01T21:00:00Z"),
      tick(
        "2026-06-01T22:00:00Z",
      ),
    ],
  );
  assert.equal(fromMinor(fixed.state.dailyFloor!), "99250.50");
  const ofAnchor = run(
    planWith({
      dailyLoss: { percent: "4", of: "anchor", anchor: "sod_balance", on: "balance", action: "fail" },
    }),
    "2026-06-01T06:00:00Z",
    [
      open("a", "2026-06-01T07:00:00Z"),
      close("a", "2500.00", "2026-06-01T08:00:00Z"),
      tick("2026-06-01T22:00:00Z"),
    ],
  );
  assert.equal(fromMinor(ofAnchor.state.dailyFloor!), "98400.00"); // 102,500 − 4,100
});
