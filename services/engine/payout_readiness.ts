/**
 * Payout readiness (DESIGN §3.2), the "why not yet" of a funded account: each condition with its state and a
 * sentence the trader can act on, and the figures of a request (profit, the trader's share, the minimum).
 * Pure: the payouts service gathers the facts, the panel and the staff queue show the result, and the request
 * path checks an amount with the same code — no page decides eligibility.
 *
 * Money is bigint cents inside and decimal strings out; the trader's share is floor(amount × split %) to the
 * cent (the firm keeps the rounding).
 */
import { fromMinor, toMinor } from "../money.ts";
import { formatDateTime, isoAt } from "../time.ts";
import { formatMoney, percent } from "../money_format.ts";

/** The payout terms of a plan's funded stage (plans/definition.ts `funded`). */
export interface PayoutTerms {
  profitSplitPercent: string;
  minPayout: string;
  payoutIntervalDays: number;
}

export interface ReadinessFacts {
  accountType: string;
  accountStatus: string;
  kyc: "none" | "submitted" | "approved" | "rejected";
  initialBalance: string;
  balance: string;
  openPositions: number;
  terms: PayoutTerms;
  /** The funded account's first trade (the first interval runs from it), or null before one. */
  firstTradeAt: Date | null;
  /** The latest request that was not rejected (later intervals run from it), or null. */
  lastRequestAt: Date | null;
  /** The open (pending or approved) request, if any. */
  openRequest: { id: string; requestedAt: Date } | null;
  /** The viewer's time zone, for the sentences. */
  timeZone: string;
  /** The account's currency, for the sentences (amounts read as on the rest of the page: "$3,000.50"). */
  currency: string;
  now: Date;
}

export type ConditionKey =
  | "funded_active"
  | "kyc_approved"
  | "no_open_positions"
  | "profit"
  | "min_payout"
  | "interval"
  | "no_open_request";

export interface Condition {
  key: ConditionKey;
  met: boolean;
  message: string;
}

export interface Readiness {
  eligible: boolean;
  /** balance − B0 (may be negative). */
  profit: string;
  /** The most a request may withdraw (the profit, or 0.00). */
  maxAmount: string;
  /** The trader's share of `maxAmount`. */
  maxShare: string;
  /** The least gross amount whose share reaches the minimum payout. */
  minAmount: string;
  splitPercent: string;
  minPayout: string;
  /** The account's currency (the sentences' amounts are in it). */
  currency: string;
  /** When the interval allows the next request (ISO), or null before the first trade. */
  nextRequestAt: string | null;
  conditions: Condition[];
}

const DAY_MS = 86_400_000;

/** floor(amount × percent / 100) to the cent, computed on integers (percent with up to 4 decimals). */
export function traderShareMinor(amount: bigint, percent: string): bigint {
  return (amount * scaledPercent(percent)) / 1_000_000n;
}

/** `traderShareMinor` on decimal strings. */
export function traderShare(amount: string, percent: string): string {
  return fromMinor(traderShareMinor(toMinor(amount), percent));
}

/** Evaluates every condition of §3.2 (all of them, so the trader sees everything that is missing at once). */
export function payoutReadiness(f: ReadinessFacts): Readiness {
  const b0 = toMinor(f.initialBalance);
  const profit = toMinor(f.balance) - b0;
  const { profitSplitPercent: split, payoutIntervalDays: days } = f.terms;
  const minPayout = toMinor(f.terms.minPayout);
  const maxAmount = profit > 0n ? profit : 0n;
  const maxShare = traderShareMinor(maxAmount, split);
  const when = (d: Date) => `${formatDateTime(d, f.timeZone)} (your time)`;
  const money = (minor: bigint) => formatMoney(fromMinor(minor), f.currency);

  const start = f.lastRequestAt ?? f.firstTradeAt;
  const next = start ? new Date(start.getTime() + days * DAY_MS) : null;
  const conditions: Condition[] = [
    f.accountType === "funded" && f.accountStatus === "active"
      ? { key: "funded_active", met: true, message: "The funded account is active." }
      : {
        key: "funded_active",
        met: false,
        message: f.accountType !== "funded"
          ? "Payouts are made from funded accounts only."
          : `The funded account is ${f.accountStatus.replace("_", " ")}, not active.`,
      },
    kycCondition(f.kyc),
    f.openPositions === 0 ? { key: "no_open_positions", met: true, message: "No open positions." } : {
      key: "no_open_positions",
      met: false,
      message: `Close ${f.openPositions} open position${f.openPositions === 1 ? "" : "s"}.`,
    },
    profit > 0n
      ? { key: "profit", met: true, message: `Profit ${money(profit)} is available to withdraw.` }
      : {
        key: "profit",
        met: false,
        message: `No profit to withdraw: the balance ${money(toMinor(f.balance))} is not above the initial ${
          money(b0)
        }.`,
      },
    {
      key: "min_payout",
      met: profit > 0n && maxShare >= minPayout,
      message: `Profit ${money(maxAmount)} × ${percent(split)} = ${money(maxShare)} ${
        maxShare >= minPayout ? "reaches" : "is below"
      } the minimum ${money(minPayout)}.`,
    },
    next === null
      ? {
        key: "interval",
        met: false,
        message: `The first request is possible ${days} days after the account's first trade.`,
      }
      : next.getTime() <= f.now.getTime()
      ? {
        key: "interval",
        met: true,
        message: `The ${days}-day interval has passed, counted from ${when(start!)}.`,
      }
      : { key: "interval", met: false, message: `Next request possible on ${when(next)}.` },
    f.openRequest
      ? {
        key: "no_open_request",
        met: false,
        message: `A request is already open, made ${when(f.openRequest.requestedAt)}: one at a time.`,
      }
      : { key: "no_open_request", met: true, message: "No other request is open." },
  ];
  return {
    eligible: conditions.every((c) => c.met),
    profit: fromMinor(profit),
    maxAmount: fromMinor(maxAmount),
    maxShare: fromMinor(maxShare),
    minAmount: fromMinor(minGross(minPayout, split)),
    splitPercent: split,
    minPayout: fromMinor(minPayout),
    currency: f.currency,
    nextRequestAt: next ? isoAt(next.getTime()) : null,
    conditions,
  };
}

/**
 * Why a request for `amount` cannot be made, or null when it can: every readiness condition, then the amount
 * itself (at most the profit, and a share of at least the minimum payout).
 */
export function requestProblem(readiness: Readiness, amount: string): string | null {
  const unmet = readiness.conditions.find((c) => !c.met);
  if (unmet) return unmet.message;
  const gross = toMinor(amount);
  if (gross <= 0n) return "The amount must be greater than 0.";
  const money = (minor: bigint) => formatMoney(fromMinor(minor), readiness.currency);
  if (gross > toMinor(readiness.maxAmount)) {
    return `The amount ${money(gross)} is more than the profit ${money(toMinor(readiness.maxAmount))}.`;
  }
  const share = traderShareMinor(gross, readiness.splitPercent);
  if (share < toMinor(readiness.minPayout)) {
    return `${money(gross)} × ${percent(readiness.splitPercent)} = ${money(share)} is below the minimum ${
      money(toMinor(readiness.minPayout))
    }.`;
  }
  return null;
}

function kycCondition(kyc: ReadinessFacts["kyc"]): Condition {
  const messages = {
    approved: "Identity verified.",
    submitted: "Your identity documents are under review.",
    rejected: "Your identity verification was rejected: submit your documents again.",
    none: "Verify your identity (upload your documents).",
  };
  return { key: "kyc_approved", met: kyc === "approved", message: messages[kyc] };
}

/** The least gross amount whose floored share reaches `minPayout`: ceil(min × 100 / split). */
function minGross(minPayout: bigint, percent: string): bigint {
  const p = scaledPercent(percent);
  let gross = (minPayout * 1_000_000n + p - 1n) / p;
  while (gross > 0n && traderShareMinor(gross - 1n, percent) >= minPayout) gross--;
  return gross;
}

/** "80" → 800000n (percent × 10⁴). */
function scaledPercent(percent: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(percent);
  if (!m) throw new RangeError(`not a percentage: ${JSON.stringify(percent)}`);
  const scaled = BigInt(m[1]) * 10_000n + BigInt((m[2] ?? "").padEnd(4, "0"));
  if (scaled <= 0n || scaled > 1_000_000n) throw new RangeError(`a split must be in (0, 100]: ${percent}`);
  return scaled;
}
