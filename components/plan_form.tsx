import type { ComponentChildren } from "preact";
import { Field, Select, SubmitButton } from "./form.tsx";
import { ANCHOR_WORDS } from "../services/plans/rule_terms.ts";
import { MAX_PHASES, phaseCountOf, type PlanFields } from "../services/plans/plan_form.ts";

/**
 * The currency choices: the ones the venue prices, plus the plan's own when it is not among them (a pair
 * deactivated since, or a refused post coming back), kept selected and labelled so staff see why a save
 * with new rules would be refused; the server still judges what is posted (services/plans/currencies.ts).
 */
export function currencyOptions(currencies: string[], current: string): { value: string; label: string }[] {
  const options = currencies.map((code) => ({ value: code, label: code }));
  if (current === "" || currencies.includes(current)) return options;
  return [...options, { value: current, label: `${current} — not priced by the venue now` }]
    .sort((a, b) => a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/**
 * The plan editor's form: every field of a plan definition, server-rendered, working without JavaScript.
 * Field names are definition paths (services/plans/plan_form.ts), so the errors of a 422 come back next to
 * the field they name. The live preview island listens to this form by its id.
 */
export function PlanForm(props: {
  id: string;
  action: string;
  fields: PlanFields;
  errors: Record<string, string>;
  mode: "create" | "edit";
  /** The currencies a plan may be sold in (services/plans/currencies.ts `priceableCurrencies`). */
  currencies: string[];
}) {
  const { fields, errors } = props;
  const f = (name: string) => ({ name, id: name, value: fields[name] ?? "", error: errors[name] });
  const phases = phaseCountOf(fields);
  return (
    <form id={props.id} method="post" action={props.action} class="space-y-6" noValidate>
      <Section title="Plan">
        <div class="grid gap-4 sm:grid-cols-2">
          <Field {...f("name")} label="Name" maxLength={80} hint="Shown on /challenges and at checkout." />
          <Field {...f("family")} label="Family" maxLength={60} hint="Listing group, e.g. “Two-Step”." />
          {props.mode === "create"
            ? (
              <Field
                {...f("slug")}
                label="Slug (optional)"
                maxLength={60}
                hint="Part of the plan's links; derived from the name when blank. Never changes."
              />
            )
            : (
              <Field
                {...f("slug")}
                label="Slug"
                readOnly
                hint="Part of the plan's links: it never changes."
              />
            )}
          <Select
            name="currency"
            label="Currency"
            value={fields.currency ?? ""}
            error={errors.currency}
            options={currencyOptions(props.currencies, fields.currency ?? "")}
            hint="USD, or one the venue prices against USD (an active pair at Instruments)."
          />
          <Field {...f("initialBalance")} label="Initial balance" inputMode="decimal" hint="e.g. 100000.00" />
          <Field {...f("price")} label="Price" inputMode="decimal" hint="What the trader pays, e.g. 540.00" />
          <Field
            {...f("reset.timeZone")}
            label="Daily reset time zone"
            hint="IANA zone, e.g. Europe/Prague."
          />
          <Field
            {...f("reset.time")}
            label="Daily reset local time"
            type="time"
            hint="24-hour, e.g. 00:00."
          />
        </div>
      </Section>

      <Section title="Phases">
        <div class="flex flex-wrap items-end gap-3">
          <Select
            name="phaseCount"
            label="Number of phases"
            value={String(phases)}
            error={errors.phaseCount}
            options={Array.from(
              { length: MAX_PHASES },
              (_, i) => ({ value: String(i + 1), label: String(i + 1) }),
            )}
            class="w-40"
          />
          <SubmitButton intent="layout" variant="secondary">Show phase fields</SubmitButton>
        </div>
        {errors.phases && (
          <p class="text-sm font-medium text-red-700 dark:text-red-400">Phases {errors.phases}</p>
        )}
        {Array.from({ length: phases }, (_, i) => (
          <fieldset key={i} class="rounded-lg border border-line p-4">
            <legend class="px-1 font-semibold">Phase {i + 1}</legend>
            <div class="grid gap-4 sm:grid-cols-2">
              <Field {...f(`phases.${i}.name`)} label="Phase name" maxLength={60} />
              <Field
                {...f(`phases.${i}.minTradingDays`)}
                label="Minimum trading days"
                inputMode="numeric"
              />
              <Field
                {...f(`phases.${i}.timeLimitDays`)}
                label="Time limit (days)"
                inputMode="numeric"
                hint="Blank: unlimited."
              />
              <Field
                {...f(`phases.${i}.bestDayMaxPercent`)}
                label="Consistency: best day at most (%)"
                inputMode="decimal"
                hint="Blank: no consistency rule."
              />
            </div>
            <Target p={`phases.${i}.profitTarget`} f={f} />
            <DailyLoss p={`phases.${i}.dailyLoss`} f={f} />
            <MaxLoss p={`phases.${i}.maxLoss`} f={f} />
          </fieldset>
        ))}
      </Section>

      <Section title="Funded account">
        <div class="grid gap-4 sm:grid-cols-3">
          <Field {...f("funded.profitSplitPercent")} label="Profit split (%)" inputMode="decimal" />
          <Field {...f("funded.minPayout")} label="Minimum payout" inputMode="decimal" />
          <Field {...f("funded.payoutIntervalDays")} label="Payout interval (days)" inputMode="numeric" />
        </div>
        <DailyLoss p="funded.dailyLoss" f={f} />
        <MaxLoss p="funded.maxLoss" f={f} />
      </Section>

      <div class="flex flex-wrap items-center gap-4">
        <SubmitButton intent="save">
          {props.mode === "create" ? "Create plan" : "Save as new version"}
        </SubmitButton>
        <a class="link text-sm" href="/admin/plans">Cancel</a>
      </div>
    </form>
  );
}

type FieldOf = (name: string) => { name: string; id: string; value: string; error: string | undefined };

function Section(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="card space-y-4 p-4 sm:p-6">
      <h2 class="text-lg font-semibold">{props.title}</h2>
      {props.children}
    </section>
  );
}

/** One rule: its kind, its size and its options on one row, under a small heading. */
function Rule(props: { title: string; children: ComponentChildren }) {
  return (
    <div class="mt-4 border-t border-line pt-4">
      <h3 class="text-sm font-semibold uppercase tracking-wider text-muted">{props.title}</h3>
      <div class="mt-2 grid gap-4 sm:grid-cols-2">{props.children}</div>
    </div>
  );
}

function Target({ p, f }: { p: string; f: FieldOf }) {
  const kind = f(`${p}.kind`);
  return (
    <Rule title="Profit target">
      <Select
        {...kind}
        label="Target"
        options={[
          { value: "none", label: "No target" },
          { value: "percent", label: "% of the initial balance" },
          { value: "amount", label: "Fixed amount" },
        ]}
      />
      <Field {...f(`${p}.value`)} label="Target size" inputMode="decimal" hint="Percent or money." />
    </Rule>
  );
}

function DailyLoss({ p, f }: { p: string; f: FieldOf }) {
  return (
    <Rule title="Daily loss">
      <Select
        {...f(`${p}.kind`)}
        label="Daily limit"
        options={[
          { value: "none", label: "No daily limit" },
          { value: "percent_initial", label: "% of the initial balance" },
          { value: "percent_anchor", label: "% of the day's anchor" },
          { value: "amount", label: "Fixed amount" },
        ]}
      />
      <Field {...f(`${p}.value`)} label="Daily limit size" inputMode="decimal" hint="Percent or money." />
      <Select
        {...f(`${p}.anchor`)}
        label="Measured from"
        options={Object.entries(ANCHOR_WORDS).map(([value, label]) => ({ value, label }))}
      />
      <Select
        {...f(`${p}.on`)}
        label="Checked on"
        options={[{ value: "equity", label: "Equity" }, { value: "balance", label: "Balance" }]}
      />
      <Select
        {...f(`${p}.action`)}
        label="On breach"
        options={[
          { value: "fail", label: "Fail the account" },
          { value: "pause", label: "Pause until the next reset" },
        ]}
      />
    </Rule>
  );
}

function MaxLoss({ p, f }: { p: string; f: FieldOf }) {
  return (
    <Rule title="Maximum loss">
      <Select
        {...f(`${p}.kind`)}
        label="Overall limit"
        options={[
          { value: "none", label: "No overall limit" },
          { value: "percent", label: "% of the initial balance" },
          { value: "amount", label: "Fixed amount" },
        ]}
      />
      <Field {...f(`${p}.value`)} label="Overall limit size" inputMode="decimal" hint="Percent or money." />
      <Select
        {...f(`${p}.mode`)}
        label="Floor"
        options={[
          { value: "static", label: "Static" },
          { value: "trailing_intraday", label: "Trailing (intraday equity)" },
          { value: "trailing_eod", label: "Trailing (end-of-day balance)" },
        ]}
      />
      <Field
        {...f(`${p}.lockAtOffset`)}
        label="Stops trailing at initial balance +"
        inputMode="decimal"
        hint="Blank: never stops. Trailing floors only."
      />
    </Rule>
  );
}
