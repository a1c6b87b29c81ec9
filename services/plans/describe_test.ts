import assert from "node:assert/strict";
import { describePlan } from "./describe.ts";
import { demoPlans } from "../demo/seed.ts";

Deno.test("describePlan: money figures computed exactly from the plan", () => {
  const twoStep = demoPlans().find((p) => p.slug === "two-step-100k")!.body;
  const summary = describePlan(twoStep);
  assert.equal(summary.phases[0].target, "10\u00a0% ($10,000)");
  assert.match(
    summary.phases[0].dailyLoss,
    /^Equity may fall at most \$5,000 \(5\u00a0% of the initial balance\) below the day's starting balance; going below fails the account\.$/,
  );
  assert.match(
    summary.phases[0].maxLoss,
    /10\u00a0% \(\$10,000\); the floor stays fixed\. It starts at \$90,000\./,
  );
  assert.equal(summary.phases[0].minDays, "4 trading days");
  assert.deepEqual(summary.card, {
    target: "10\u00a0% ($10,000) → 5\u00a0% ($5,000)",
    dailyLoss: "$5,000 below the day's starting balance",
    maxLoss: "$10,000 below the initial balance",
    minDays: "4",
  });
  assert.equal(summary.profitSplit, "80\u00a0%");

  const oneStep = describePlan(demoPlans().find((p) => p.slug === "one-step-25k")!.body);
  assert.match(
    oneStep.phases[0].maxLoss,
    /6\u00a0% \(\$1,500\); the floor trails the highest end-of-day balance, and stops trailing at \$25,000\. It starts at \$23,500\./,
  );
  assert.match(oneStep.phases[0].consistency, /Best day at most 50\u00a0% of total profit/);
});
