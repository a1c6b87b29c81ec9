/**
 * What changed between two versions of a plan, field by field, in the back office's words: "Phase 1
 * (Challenge) · Profit target: 10 % → 12 %". Browser-safe and pure.
 */
import { formatMoney } from "../money_format.ts";
import type { PlanDefinition } from "./definition.ts";

export interface FieldChange {
  /** The definition path, e.g. `phases.0.profitTarget.percent`. */
  path: string;
  label: string;
  before: string;
  after: string;
}

const WORDS: Record<string, string> = {
  name: "Name",
  family: "Family",
  currency: "Currency",
  initialBalance: "Initial balance",
  price: "Price",
  reset: "Daily reset",
  timeZone: "time zone",
  time: "local time",
  profitTarget: "Profit target",
  dailyLoss: "Daily loss",
  maxLoss: "Maximum loss",
  percent: "percent",
  amount: "amount",
  of: "percent of",
  anchor: "measured from",
  on: "checked on",
  action: "on breach",
  mode: "floor",
  lockAtOffset: "stops trailing at initial balance +",
  minTradingDays: "Minimum trading days",
  timeLimitDays: "Time limit (days)",
  bestDayMaxPercent: "Consistency: best day at most",
  funded: "Funded account",
  profitSplitPercent: "Profit split",
  minPayout: "Minimum payout",
  payoutIntervalDays: "Payout interval (days)",
};

const MONEY_KEYS = new Set(["initialBalance", "price", "amount", "lockAtOffset", "minPayout"]);
const PERCENT_KEYS = new Set(["percent", "profitSplitPercent", "bestDayMaxPercent"]);

/** Every leaf that differs between `before` and `after`, in the definition's order. */
export function diffDefinitions(before: PlanDefinition, after: PlanDefinition): FieldChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...b.keys(), ...a.keys()])];
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const x = a.get(path) ?? null;
    const y = b.get(path) ?? null;
    if (x === y) continue;
    changes.push({
      path,
      label: labelOf(path, after, before),
      before: shown(path, x, before.currency),
      after: shown(path, y, after.currency),
    });
  }
  return changes;
}

/** Leaves by path; a rule that is off (null) is one leaf, so "none → 5 %" reads as one change. */
function flatten(value: unknown, prefix = "", out = new Map<string, string | null>()) {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value === null ? null : String(value));
  }
  return out;
}

/** A definition path in words without phase names: "Phase 2 · Daily loss · percent". */
export function pathLabel(path: string): string {
  return labelOf(path, null, null);
}

function labelOf(path: string, after: PlanDefinition | null, before: PlanDefinition | null): string {
  const parts = path.split(".");
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === "phases" && /^\d+$/.test(parts[i + 1] ?? "")) {
      const n = Number(parts[++i]);
      const name = after?.phases[n]?.name ?? before?.phases[n]?.name;
      words.push(name ? `Phase ${n + 1} (${name})` : `Phase ${n + 1}`);
      continue;
    }
    words.push(WORDS[part] ?? (part === "value" ? "size" : part === "kind" ? "kind" : part));
  }
  return words.join(" · ");
}

function shown(path: string, value: string | null, currency: string): string {
  if (value === null) return "none";
  const key = path.split(".").at(-1)!;
  if (MONEY_KEYS.has(key) && /^\d+(\.\d+)?$/.test(value)) return formatMoney(value, currency);
  if (PERCENT_KEYS.has(key)) return `${value} %`;
  return value.replaceAll("_", " ");
}
