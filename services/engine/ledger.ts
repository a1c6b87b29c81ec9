/**
 * Ledger events (DESIGN §3.2): money the firm moves in or out of an account — a payout's withdrawal at
 * request, its reversal on rejection. A withdrawal is not a loss and a reversal is not a profit, so each moves
 * the account's reference levels together with its money:
 *
 * - balance and equity move by the amount;
 * - the day's start-of-day balance and equity move too, so the day's P&L (and consistency) is unchanged;
 * - the daily-loss anchor and its floor move by the amount (the headroom to the floor is what it was), except
 *   an `initial` anchor, which is B0 and as fixed as a static floor;
 * - the trailing high-water marks (highest equity, highest end-of-day balance) and a trailing max-loss floor
 *   move by the amount; a static max-loss floor does not move. A raise never lifts a trailing floor past its
 *   lock level (a floor never sits above it), so a reversal right after its withdrawal restores every figure
 *   exactly.
 *
 * Pure: `shiftLedger` only writes the fresh copy `applyEvent` hands it.
 */
import { toMinor } from "../money.ts";
import { capAtLock } from "./max_loss.ts";
import type { EngineRules } from "./rules.ts";
import type { AccountState, LedgerEvent } from "./state.ts";

/** The signed change a ledger event makes to the account's money, in minor units. */
export function ledgerDelta(event: LedgerEvent): bigint {
  const amount = toMinor(event.amount);
  if (amount <= 0n) throw new RangeError(`a ${event.type} amount must be positive: ${event.amount}`);
  return event.type === "withdrawal" ? -amount : amount;
}

/** Applies a ledger event's money and reference-level moves to `next` (a fresh copy of the prior state). */
export function shiftLedger(next: AccountState, event: LedgerEvent, rules: EngineRules): void {
  const d = ledgerDelta(event);
  next.balance += d;
  next.equity += d;
  next.highestEquity += d;
  next.highestEodBalance += d;
  const anchorMoves = next.day.anchor !== null && rules.dailyLoss?.anchor !== "initial";
  next.day = {
    ...next.day,
    sodBalance: next.day.sodBalance + d,
    sodEquity: next.day.sodEquity + d,
    anchor: anchorMoves ? next.day.anchor! + d : next.day.anchor,
  };
  if (anchorMoves && next.dailyFloor !== null) next.dailyFloor += d;
  const max = rules.maxLoss;
  if (max && max.mode !== "static" && next.maxFloor !== null) {
    next.maxFloor = capAtLock(next.maxFloor + d, max);
  }
}
