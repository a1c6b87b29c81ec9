/** Max-loss floor arithmetic (DESIGN §3), shared by the evaluator and the ledger moves of a withdrawal. */
import type { MaxLoss } from "./rules.ts";
import type { AccountState } from "./state.ts";

/** The level a max-loss floor is measured from: B0, the highest equity, or the highest end-of-day balance. */
export function maxLossAnchor(state: AccountState, rule: MaxLoss): bigint {
  if (rule.mode === "trailing_intraday") return state.highestEquity;
  if (rule.mode === "trailing_eod") return max(state.highestEodBalance, state.initialBalance);
  return state.initialBalance;
}

/** Raises a trailing floor to `level − amount`, capped at the lock level; a floor never moves down. */
export function trail(floor: bigint | null, rule: MaxLoss, level: bigint): bigint {
  const candidate = capAtLock(level - rule.amount, rule);
  return floor === null || candidate > floor ? candidate : floor;
}

/** A trailing floor never sits above the rule's lock level (B0 + lockAtOffset). */
export function capAtLock(floor: bigint, rule: MaxLoss): bigint {
  return rule.lockLevel !== null && floor > rule.lockLevel ? rule.lockLevel : floor;
}

export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
