/**
 * The plan editor's live preview: a draft plan as the public site would show it, produced by the very
 * functions /rules (`explainRules`, `planFigures`) and /challenges (`describePlan`) render, from rules the
 * engine compiles. Nothing is stored.
 */
import { parsePlanInput } from "./admin.ts";
import { describePlan, type PlanSummary } from "./describe.ts";
import { explainRules, type PlanFigures, planFigures, type PlanRules } from "./explain.ts";

export interface PlanPreview {
  name: string;
  /** The phases' names, in order (the funded account follows them). */
  phases: string[];
  /** The /rules page's text and worked examples. */
  rules: PlanRules;
  /** The /rules page's per-size figures (balances to reach, day-one floors). */
  figures: PlanFigures;
  /** The /challenges card's short forms. */
  card: PlanSummary["card"] & { price: string; profitSplit: string; payouts: string };
}

/** Validates a draft (422 naming each field path, as saving would) and renders it. */
export function previewPlan(input: unknown): PlanPreview {
  const { body } = parsePlanInput(input, "revise");
  const summary = describePlan(body);
  return {
    name: body.name,
    phases: body.phases.map((p) => p.name),
    rules: explainRules(body),
    figures: planFigures(body),
    card: { ...summary.card, price: body.price, profitSplit: summary.profitSplit, payouts: summary.payouts },
  };
}
