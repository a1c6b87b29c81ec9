/**
 * Which notifications a committed account change causes — a pure function of the change and, for the limit
 * warnings, of the engine state and rules it was evaluated with. Each comes with the key that makes it once:
 *
 * - `breach`: a breach verdict (once per change that failed the account).
 * - `pause`: a daily-loss soft pause (once per paused trading day).
 * - `phase_passed`: a passed verdict (once per account: a phase passes once).
 * - `kyc_pending`: a funded account opened waiting for identity verification (once per account).
 * - `daily_loss_warning`: 50 % or 80 % of the day's daily-loss limit used — each threshold once per trading
 *   day (the limit starts afresh each day, so does the warning). When one change crosses both, only 80 %
 *   is sent, and 50 % is not sent later that day.
 * - `max_loss_warning`: 50 % or 80 % of the max-loss limit used — each threshold once per account (falling
 *   back below and rising again does not repeat it: a warning that comes back with every wobble around the
 *   line stops being read). As for daily, 80 % silences a later 50 %.
 *
 * "Used" is the share of the limit's room that is gone: 1 − (current − floor) / limit, where the limit is the
 * day's anchor − floor for daily loss and the plan's max-loss amount for max loss (so a trailing or locked
 * floor is measured by the room left above it). Warnings are only sent while the account is active: a
 * breach or pause says more. Limits are read after the change: a sync batch is one change, so a batch that
 * crosses 50 % and comes back within itself warns of nothing (its events are seconds apart).
 */
import type { AccountState } from "../engine/state.ts";
import type { EngineRules } from "../engine/rules.ts";
import { fromMinor } from "../money.ts";
import { formatMoney } from "../money.ts";
import { percent } from "../money_format.ts";
import { formatDay } from "../time_format.ts";
import type { NotificationType } from "./types.ts";

/** The thresholds of the limit warnings, in percent, highest first. */
export const WARNING_THRESHOLDS = [80, 50] as const;

/** What derivation reads of a change (the `AccountChange` fields it needs). */
export interface ChangeFacts {
  accountId: string;
  stateVersion: number;
  previousVersion: number | null;
  verdicts: readonly { type: string; evidence?: Evidence }[];
  account: {
    userId: string;
    type: "challenge" | "funded" | "demo";
    phase: number | null;
    status: string;
    currency: string;
  };
}

interface Evidence {
  rule: string;
  basis: string;
  floor: string | null;
  observed: string;
  tradingDay: string;
}

/** How much of a limit is used (minor units) and where its floor is. */
export interface LimitUse {
  used: bigint;
  limit: bigint;
  floor: bigint;
}

/** The state of the limits after a change: the day's daily-loss use (with the day's key) and the max-loss use. */
export interface Limits {
  daily: (LimitUse & { day: string }) | null;
  max: LimitUse | null;
}

/** A notification to add: `key` is unique per user; `unless` are keys that make it moot (a higher warning). */
export interface DerivedNotification {
  type: NotificationType;
  key: string;
  unless: string[];
  title: string;
  body: string;
}

/** The limit use after `state` under `rules` (null parts where the plan has no such rule). */
export function limitsOf(state: AccountState, rules: EngineRules): Limits {
  let daily: Limits["daily"] = null;
  if (rules.dailyLoss && state.dailyFloor !== null && state.day.anchor !== null) {
    const current = rules.dailyLoss.on === "equity" ? state.equity : state.balance;
    const limit = state.day.anchor - state.dailyFloor;
    daily = {
      used: limit - (current - state.dailyFloor),
      limit,
      floor: state.dailyFloor,
      day: state.day.key,
    };
  }
  let max: Limits["max"] = null;
  if (rules.maxLoss && state.maxFloor !== null) {
    const limit = rules.maxLoss.amount;
    max = { used: limit - (state.equity - state.maxFloor), limit, floor: state.maxFloor };
  }
  return { daily, max };
}

const RULE_NAMES: Record<string, string> = {
  daily_loss: "daily loss limit",
  max_loss: "maximum loss limit",
  time_limit: "time limit",
};

/** The notifications `change` causes (none for most changes: the live path pays nothing then). */
export function notificationsOf(change: ChangeFacts, limits?: Limits): DerivedNotification[] {
  const { accountId: id, account } = change;
  const label = accountLabel(change);
  const money = (amount: string) => formatMoney(amount, account.currency);
  const out: DerivedNotification[] = [];
  for (const verdict of change.verdicts) {
    const e = verdict.evidence;
    if (verdict.type === "breach" && e) {
      const rule = RULE_NAMES[e.rule] ?? e.rule;
      out.push({
        type: "breach",
        key: `${id}:breach:${change.stateVersion}`,
        unless: [],
        title: `${label} failed: ${rule} breached`,
        body: e.rule === "time_limit"
          ? `${label} ran out of time before meeting its objectives. The evidence is on the account page.`
          : `${label}: ${e.basis} ${money(e.observed)} reached the ${rule} floor of ${
            e.floor === null ? "—" : money(e.floor)
          } on trading day ${
            formatDay(e.tradingDay)
          }. The account is closed for trading; the evidence is on the account page.`,
      });
    } else if (verdict.type === "paused" && e) {
      out.push({
        type: "pause",
        key: `${id}:pause:${e.tradingDay}`,
        unless: [],
        title: `${label} paused until the next daily reset`,
        body: `${label}: ${e.basis} ${money(e.observed)} reached the daily floor of ${
          e.floor === null ? "—" : money(e.floor)
        } on trading day ${
          formatDay(e.tradingDay)
        }. Trading resumes at the next daily reset; the account is not failed.`,
      });
    } else if (verdict.type === "passed") {
      out.push({
        type: "phase_passed",
        key: `${id}:phase_passed`,
        unless: [],
        title: `${label} passed`,
        body: `${label} met every objective. Your next account opens on your dashboard.`,
      });
    }
  }
  if (account.status === "pending_kyc" && change.previousVersion === null) {
    out.push({
      type: "kyc_pending",
      key: `${id}:kyc_pending`,
      unless: [],
      title: "Your funded account is waiting for identity verification",
      body: `${label} is ready. Verify your identity (KYC) to start trading it.`,
    });
  }
  if (limits && account.status === "active") {
    const warn = (type: NotificationType, use: LimitUse, scope: string, what: string) => {
      if (use.limit <= 0n) return;
      const usedPercent = (use.used * 100n) / use.limit;
      const reached = WARNING_THRESHOLDS.find((t) => usedPercent >= BigInt(t));
      if (reached === undefined) return;
      const keyOf = (t: number) => `${id}:${type}:${t}${scope}`;
      out.push({
        type,
        key: keyOf(reached),
        unless: WARNING_THRESHOLDS.filter((t) => t > reached).map(keyOf),
        title: `${percent(String(reached))} of ${what} used`,
        body: `${label}: ${money(fromMinor(use.used))} of ${money(fromMinor(use.limit))} used; the floor is ${
          money(fromMinor(use.floor))
        }.`,
      });
    };
    if (limits.daily) {
      warn("daily_loss_warning", limits.daily, `:${limits.daily.day}`, "today's daily loss limit");
    }
    if (limits.max) warn("max_loss_warning", limits.max, "", "the maximum loss limit");
  }
  return out;
}

/** "Phase 1 account 3f2a9c1d", "Funded account 3f2a9c1d". */
export function accountLabel(change: Pick<ChangeFacts, "accountId" | "account">): string {
  const { type, phase } = change.account;
  const kind = type === "funded"
    ? "Funded account"
    : type === "demo"
    ? "Demo account"
    : `Phase ${phase} account`;
  return `${kind} ${change.accountId.slice(0, 8)}`;
}
