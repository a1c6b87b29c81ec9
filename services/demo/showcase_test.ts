import assert from "node:assert/strict";
import { buildShowcase, showcaseEvents } from "./showcase.ts";
import { demoPlans } from "./seed.ts";
import { simulate } from "../engine/simulate.ts";
import { toMinor } from "../money.ts";

const plan = (slug: string) => demoPlans().find((p) => p.slug === slug)!.body;

Deno.test("showcase: the curve and floors are the engine's simulation of the demo events, deterministic", () => {
  const oneStep = plan("one-step-100k");
  const showcase = buildShowcase(oneStep)!;
  assert.deepEqual(buildShowcase(oneStep), showcase, "same input, same picture (the page is cached)");

  // Every point is the engine's timeline, nothing drawn by hand.
  const events = showcaseEvents(oneStep.initialBalance);
  const sim = simulate(oneStep, 0, Date.UTC(2026, 2, 2), events, events.at(-1)!.at);
  assert.equal(showcase.points.length, sim.timeline.length);
  showcase.points.forEach((p, i) => {
    const t = sim.timeline[i];
    assert.deepEqual(p, {
      at: Date.parse(t.at),
      equity: t.equity,
      dailyFloor: t.dailyFloor,
      maxFloor: t.maxFloor,
    });
  });

  // The story the home page tells: a live evaluation, floors at work, the target not yet reached.
  assert.equal(showcase.status, "active");
  assert.equal(showcase.tradingDays, 22);
  assert.equal(showcase.targetBalance, "110000.00");
  const last = showcase.points.at(-1)!;
  assert.ok(last.dailyFloor && last.maxFloor);
  const dailyFloors = new Set(showcase.points.map((p) => p.dailyFloor));
  assert.ok(dailyFloors.size > 10, "the daily floor moves with every reset");
  assert.ok(toMinor(last.maxFloor!) > toMinor(showcase.points[0].maxFloor!), "the trailing floor rose");
  assert.equal(
    toMinor(showcase.last.dailyRoom!),
    toMinor(last.equity) - toMinor(last.dailyFloor!),
  );
  assert.equal(toMinor(showcase.last.toTarget!), toMinor("110000.00") - toMinor(last.equity));
  assert.equal(
    showcase.last.profitPercent,
    (Number(showcase.last.profit) / 1000).toFixed(2),
    "2 places of the profit over 100,000",
  );
  assert.ok(showcase.points.every((p) => toMinor(p.equity) >= toMinor(p.maxFloor!)), "never breached");
});

Deno.test("showcase: any plan with a first phase gets one, from the same seeded trading", () => {
  const twoStep = buildShowcase(plan("two-step-10k"))!;
  assert.equal(twoStep.planName, "Two-Step 10K");
  assert.equal(twoStep.phaseName, "Challenge");
  assert.equal(twoStep.initialBalance, "10000.00");
  assert.equal(twoStep.targetBalance, "11000.00");
  // The moves scale with the account: the same trading, a tenth of the money, to the cent or so.
  const big = buildShowcase(plan("two-step-100k"))!;
  assert.ok(Math.abs(Number(big.last.profit) / 10 - Number(twoStep.last.profit)) < 1);
});
