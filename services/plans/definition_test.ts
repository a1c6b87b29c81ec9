import assert from "node:assert/strict";
import { parsePlanDefinition, type PlanDefinition, planDefinitionSchema } from "./definition.ts";
import { Unprocessable } from "../../lib/errors.ts";

/** The example body from the engine issue. */
function example(): PlanDefinition {
  const dailyLoss = {
    percent: "5",
    of: "initial",
    anchor: "sod_balance",
    on: "equity",
    action: "fail",
  } as const;
  const maxLoss = { percent: "10", mode: "static", lockAtOffset: null } as const;
  return {
    name: "Two-Step 100K",
    currency: "USD",
    initialBalance: "100000.00",
    price: "540.00",
    reset: { timeZone: "Europe/Prague", time: "00:00" },
    phases: [{
      name: "Challenge",
      profitTarget: { percent: "10" },
      dailyLoss,
      maxLoss,
      minTradingDays: 4,
      timeLimitDays: null,
      bestDayMaxPercent: null,
    }],
    funded: { profitSplitPercent: "80", minPayout: "100.00", payoutIntervalDays: 14, dailyLoss, maxLoss },
  };
}

/** The field errors `parsePlanDefinition` reports for `body`. */
function fieldErrors(body: unknown): Record<string, string> {
  try {
    parsePlanDefinition(body);
  } catch (err) {
    assert.ok(err instanceof Unprocessable);
    assert.equal(err.status, 422);
    return err.fields ?? {};
  }
  assert.fail("expected the definition to be rejected");
}

Deno.test("the engine issue's example body parses unchanged", () => {
  const body = example();
  assert.deepEqual(parsePlanDefinition(structuredClone(body)), body);
});

Deno.test("fixed amounts, pause actions, trailing modes, locks and null rules are accepted", () => {
  const body = example();
  body.phases[0] = {
    ...body.phases[0],
    profitTarget: { amount: "6000.00" },
    dailyLoss: { amount: "1000.00", anchor: "sod_max", on: "balance", action: "pause" },
    maxLoss: { amount: "2500", mode: "trailing_intraday", lockAtOffset: "100.00" },
    timeLimitDays: 30,
    bestDayMaxPercent: "40.5",
  };
  body.funded.dailyLoss = null;
  body.funded.maxLoss = { percent: "6", mode: "trailing_eod", lockAtOffset: "0.00" };
  body.reset = { timeZone: "America/New_York", time: "17:00" };
  assert.deepEqual(planDefinitionSchema.parse(body), body);
});

Deno.test("money must be a decimal string with at most two decimals", () => {
  for (const bad of ["100.001", "1e5", "-5.00", "100,00", " 100", ""]) {
    assert.deepEqual(Object.keys(fieldErrors({ ...example(), price: bad })), ["price"], bad);
  }
  assert.ok(fieldErrors({ ...example(), initialBalance: 100000 }).initialBalance, "a number is not money");
  assert.match(fieldErrors({ ...example(), initialBalance: "0.00" }).initialBalance, /greater than 0/);
});

Deno.test("errors inside a percent-or-amount rule name the exact field", () => {
  const body = example();
  // The example shares rule objects between phase and funded stage; replace, don't mutate.
  body.phases[0] = {
    ...body.phases[0],
    dailyLoss: { ...body.phases[0].dailyLoss!, percent: "150" },
    maxLoss: { ...body.phases[0].maxLoss!, mode: "trailing" as "static" },
  };
  assert.deepEqual(Object.keys(fieldErrors(body)).sort(), [
    "phases.0.dailyLoss.percent",
    "phases.0.maxLoss.mode",
  ]);
});

Deno.test("the reset needs a real IANA time zone and a HH:MM time", () => {
  for (const timeZone of ["Mars/Olympus", "CET", "+01:00", ""]) {
    assert.ok(fieldErrors({ ...example(), reset: { timeZone, time: "00:00" } })["reset.timeZone"], timeZone);
  }
  for (const time of ["24:00", "7:00", "12:60", "00:00:00"]) {
    assert.ok(fieldErrors({ ...example(), reset: { timeZone: "UTC", time } })["reset.time"], time);
  }
});

Deno.test("unknown keys and missing phases are rejected", () => {
  assert.ok(fieldErrors({ ...example(), slug: "two-step-100k" }).definition);
  assert.ok(fieldErrors({ ...example(), phases: [] }).phases);
  const { funded: _, ...noFunded } = example();
  assert.ok(fieldErrors(noFunded).funded);
});
