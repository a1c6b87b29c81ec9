/** The shapes of the /rules explanations (explain.ts), in a module of their own so islands can name them. */
/** One rule of a plan in plain language, with a worked example in money. */
export interface RuleExplanation {
  /** Where the rule applies, e.g. `["Challenge", "Verification", "Funded account"]`. */
  appliesTo: string[];
  text: string;
  /** Worked examples computed from the plan's own figures (empty when the rule has nothing to compute). */
  examples: string[];
}

/** Every rule of one plan, grouped by kind; a rule shared by several stages is explained once. */
export interface PlanRules {
  currency: string;
  initialBalance: string;
  /** "00:00 in the Europe/Prague time zone". */
  reset: string;
  profitTarget: RuleExplanation[];
  dailyLoss: RuleExplanation[];
  maxLoss: RuleExplanation[];
  minTradingDays: RuleExplanation[];
  timeLimit: RuleExplanation[];
  consistency: RuleExplanation[];
  profitSplit: RuleExplanation;
  payouts: RuleExplanation;
}
