/**
 * The back office's plan form: a plan definition as flat form fields and back. Field names are the
 * definition's own paths (`phases.0.dailyLoss.anchor`), so a 422 from `parsePlanInput` lands next to the
 * field it names; the one exception is a rule's size, typed once in `….value` and sent as `percent` or
 * `amount` depending on the rule's `….kind`.
 *
 * Browser-safe and free of validation: the editor page (on POST) and the live preview island (on every
 * change) build the same draft from the same fields, and the server's schema alone judges it.
 */
import type { DailyLossRule, MaxLossRule, PhaseDefinition, PlanDefinition } from "./definition.ts";

/** Form fields by name, as a browser sends them. */
export type PlanFields = Record<string, string>;

export const MAX_PHASES = 5;

/** A rule's size kinds as the form offers them ("none" = the rule does not apply). */
export const TARGET_KINDS = ["none", "percent", "amount"] as const;
export const DAILY_KINDS = ["none", "percent_initial", "percent_anchor", "amount"] as const;
export const MAX_KINDS = ["none", "percent", "amount"] as const;

const MONEY = /^\d+(\.\d{1,2})?$/;

/** The fields of a plan (or of a blank one: the defaults a new plan starts from). */
export function planFields(plan: PlanDefinition, meta: { family: string; slug: string }): PlanFields {
  const f: PlanFields = {
    family: meta.family,
    slug: meta.slug,
    name: plan.name,
    currency: plan.currency,
    initialBalance: plan.initialBalance,
    price: plan.price,
    "reset.timeZone": plan.reset.timeZone,
    "reset.time": plan.reset.time,
    phaseCount: String(plan.phases.length),
    "funded.profitSplitPercent": plan.funded.profitSplitPercent,
    "funded.minPayout": plan.funded.minPayout,
    "funded.payoutIntervalDays": String(plan.funded.payoutIntervalDays),
  };
  plan.phases.forEach((phase, i) => Object.assign(f, phaseFields(`phases.${i}`, phase)));
  Object.assign(f, dailyFields("funded.dailyLoss", plan.funded.dailyLoss));
  Object.assign(f, maxFields("funded.maxLoss", plan.funded.maxLoss));
  return f;
}

function phaseFields(p: string, phase: PhaseDefinition): PlanFields {
  const target = phase.profitTarget;
  return {
    [`${p}.name`]: phase.name,
    [`${p}.profitTarget.kind`]: target === null ? "none" : "percent" in target ? "percent" : "amount",
    [`${p}.profitTarget.value`]: target === null ? "" : "percent" in target ? target.percent : target.amount,
    ...dailyFields(`${p}.dailyLoss`, phase.dailyLoss),
    ...maxFields(`${p}.maxLoss`, phase.maxLoss),
    [`${p}.minTradingDays`]: String(phase.minTradingDays),
    [`${p}.timeLimitDays`]: phase.timeLimitDays === null ? "" : String(phase.timeLimitDays),
    [`${p}.bestDayMaxPercent`]: phase.bestDayMaxPercent ?? "",
  };
}

function dailyFields(p: string, rule: DailyLossRule | null): PlanFields {
  if (rule === null) {
    return {
      [`${p}.kind`]: "none",
      [`${p}.value`]: "",
      [`${p}.anchor`]: "sod_balance",
      [`${p}.on`]: "equity",
      [`${p}.action`]: "fail",
    };
  }
  const kind = "amount" in rule ? "amount" : rule.of === "anchor" ? "percent_anchor" : "percent_initial";
  return {
    [`${p}.kind`]: kind,
    [`${p}.value`]: "amount" in rule ? rule.amount : rule.percent,
    [`${p}.anchor`]: rule.anchor,
    [`${p}.on`]: rule.on,
    [`${p}.action`]: rule.action,
  };
}

function maxFields(p: string, rule: MaxLossRule | null): PlanFields {
  return {
    [`${p}.kind`]: rule === null ? "none" : "percent" in rule ? "percent" : "amount",
    [`${p}.value`]: rule === null ? "" : "percent" in rule ? rule.percent : rule.amount,
    [`${p}.mode`]: rule?.mode ?? "static",
    [`${p}.lockAtOffset`]: rule?.lockAtOffset ?? "",
  };
}

/** How many phase blocks the form shows: its `phaseCount`, kept within 1 to MAX_PHASES. */
export function phaseCountOf(fields: PlanFields): number {
  const n = Number(fields.phaseCount);
  return Number.isInteger(n) ? Math.min(MAX_PHASES, Math.max(1, n)) : 1;
}

/**
 * The request body the fields describe (`family`, `slug` and the definition), for `parsePlanInput` to
 * judge. Whole numbers that are not whole numbers are reported here (`errors`), since the schema would only
 * say "expected number"; so are a phase count and rule kinds the form does not offer, which the body has no
 * place for (a count out of range would be clamped, an unknown kind read as a percentage: a rule silently
 * changed). Everything else passes through as typed. Money is written with its two decimals,
 * so "540" and "540.00" are the same rules.
 */
export function planDraft(
  fields: PlanFields,
): { body: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const text = (name: string) => (fields[name] ?? "").trim();
  const money = (name: string) => {
    const v = text(name);
    if (!MONEY.test(v)) return v;
    const [units, cents = ""] = v.split(".");
    return `${units.replace(/^0+(?=\d)/, "")}.${cents.padEnd(2, "0")}`;
  };
  const whole = (name: string, optional = false): number | null => {
    const v = text(name);
    if (v === "" && optional) return null;
    if (v === "") errors[name] = "is required";
    else if (!/^\d{1,6}$/.test(v)) errors[name] = "must be a whole number";
    else return Number(v);
    return 0;
  };
  const optionalText = (name: string) => (text(name) === "" ? null : text(name));
  const kindOf = (p: string, kinds: readonly string[]) => {
    const kind = text(`${p}.kind`);
    if (kind !== "" && !kinds.includes(kind)) errors[`${p}.kind`] = `must be one of ${kinds.join(", ")}`;
    return kind;
  };
  const count = text("phaseCount");
  if (!/^\d{1,6}$/.test(count) || Number(count) < 1 || Number(count) > MAX_PHASES) {
    errors.phaseCount = `must be a whole number from 1 to ${MAX_PHASES}`;
  }

  const sized = (p: string, kind: string, asMoney: boolean) =>
    kind === "amount"
      ? { amount: asMoney ? money(`${p}.value`) : text(`${p}.value`) }
      : { percent: text(`${p}.value`) };

  const dailyLoss = (p: string) => {
    const kind = kindOf(p, DAILY_KINDS);
    if (kind === "none" || kind === "") return null;
    const common = { anchor: text(`${p}.anchor`), on: text(`${p}.on`), action: text(`${p}.action`) };
    if (kind === "amount") return { ...sized(p, kind, true), ...common };
    return { percent: text(`${p}.value`), of: kind === "percent_anchor" ? "anchor" : "initial", ...common };
  };
  const maxLoss = (p: string) => {
    const kind = kindOf(p, MAX_KINDS);
    if (kind === "none" || kind === "") return null;
    const lock = optionalText(`${p}.lockAtOffset`);
    return {
      ...sized(p, kind, true),
      mode: text(`${p}.mode`),
      lockAtOffset: lock === null ? null : money(`${p}.lockAtOffset`),
    };
  };
  const target = (p: string) => {
    const kind = kindOf(p, TARGET_KINDS);
    return kind === "none" || kind === "" ? null : sized(p, kind, true);
  };

  const phases = Array.from({ length: phaseCountOf(fields) }, (_, i) => {
    const p = `phases.${i}`;
    return {
      name: text(`${p}.name`),
      profitTarget: target(`${p}.profitTarget`),
      dailyLoss: dailyLoss(`${p}.dailyLoss`),
      maxLoss: maxLoss(`${p}.maxLoss`),
      minTradingDays: whole(`${p}.minTradingDays`),
      timeLimitDays: whole(`${p}.timeLimitDays`, true),
      bestDayMaxPercent: optionalText(`${p}.bestDayMaxPercent`),
    };
  });

  const body: Record<string, unknown> = {
    family: text("family"),
    name: text("name"),
    currency: text("currency").toUpperCase(),
    initialBalance: money("initialBalance"),
    price: money("price"),
    reset: { timeZone: text("reset.timeZone"), time: text("reset.time") },
    phases,
    funded: {
      profitSplitPercent: text("funded.profitSplitPercent"),
      minPayout: money("funded.minPayout"),
      payoutIntervalDays: whole("funded.payoutIntervalDays"),
      dailyLoss: dailyLoss("funded.dailyLoss"),
      maxLoss: maxLoss("funded.maxLoss"),
    },
  };
  if (text("slug") !== "") body.slug = text("slug");
  return { body, errors };
}

/** The form field an error path belongs to: a rule's `percent` or `amount` is typed in its `value`. */
export function fieldOfPath(path: string): string {
  return path.replace(/\.(percent|amount)$/, ".value");
}

/** Error paths (from the schema or `planDraft`) keyed by the field showing them; first message wins. */
export function errorsByField(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) out[fieldOfPath(path)] ??= message;
  return out;
}
