/** The self-locks page's settings form (no JavaScript); what holds now is components/self_lock_state.tsx. */
import type { ComponentChildren } from "preact";
import { Field, SubmitButton } from "../../../components/form.tsx";
import { DateTime } from "../../../components/date_time.tsx";
import { formatAmount } from "../../../components/money.tsx";
import type { FieldErrors } from "../../../lib/errors.ts";
import type { SelfLocksJson } from "../../../services/self_locks/json.ts";
import type { SelfLocksFormValues } from "../../../services/self_locks/form.ts";
import { minutesInWords, type SelfLockSettings } from "../../../services/self_locks/settings.ts";

/** A setting's value in words, for the pending notes. */
function describe(key: keyof SelfLockSettings, value: string | number | null, currency: string): string {
  if (value === null) return "off";
  if (key === "dailyLossLimit") return formatAmount(String(value), currency);
  if (key === "cooldownMinutes") return minutesInWords(Number(value));
  return String(value);
}

/** The settings form: current values, and under each field any loosening waiting for the reset. */
export function SelfLocksForm(
  props: { locks: SelfLocksJson; values: SelfLocksFormValues; errors: FieldErrors; timeZone: string },
) {
  const { locks, values, errors } = props;
  const pending = locks.pending;
  const hint = (key: keyof SelfLockSettings, text: ComponentChildren) => {
    const waiting = pending && key in pending.values;
    return (
      <>
        {text}
        {waiting && (
          <span class="mt-1 block font-medium text-ink">
            Now {describe(key, locks.settings[key], locks.currency)};{" "}
            {describe(key, pending.values[key] ?? null, locks.currency)} from the reset,{" "}
            <DateTime at={pending.appliesAt} zone={props.timeZone} />.
          </span>
        )}
      </>
    );
  };
  return (
    <form method="post" class="space-y-5" novalidate>
      {pending && (
        <p class="rounded-lg border border-line bg-raised px-4 py-3 text-sm" role="note">
          <strong>Waiting for the reset:</strong> looser limits you asked for apply from{" "}
          <DateTime at={pending.appliesAt} zone={props.timeZone} />.
        </p>
      )}
      <Field
        name="dailyLossLimit"
        label="Daily loss limit"
        inputMode="decimal"
        autocomplete="off"
        placeholder="Off"
        value={values.dailyLossLimit}
        error={errors.dailyLossLimit}
        hint={hint(
          "dailyLossLimit",
          `In ${locks.currency}. Locks for the rest of the day once today's loss (closed trades plus open ` +
            "positions, from the day's starting balance) reaches it. Empty: off.",
        )}
      />
      <Field
        name="maxTradesPerDay"
        label="Max trades per day"
        inputMode="numeric"
        autocomplete="off"
        placeholder="Off"
        value={values.maxTradesPerDay}
        error={errors.maxTradesPerDay}
        hint={hint("maxTradesPerDay", "Trades opened per trading day, 1–1000. Empty: off.")}
      />
      <fieldset class="space-y-4 rounded-lg border border-line p-4">
        <legend class="px-1 text-sm font-semibold">Cooldown after a losing streak</legend>
        <p class="text-sm text-muted">
          After this many losing trades in a row, no new trade for this long. Set both, or leave both empty.
        </p>
        <div class="grid gap-4 sm:grid-cols-2">
          <Field
            name="cooldownLosses"
            label="Losing trades in a row"
            inputMode="numeric"
            autocomplete="off"
            placeholder="Off"
            value={values.cooldownLosses}
            error={errors.cooldownLosses}
            hint={hint("cooldownLosses", "1–100.")}
          />
          <Field
            name="cooldownMinutes"
            label="Cooldown in minutes"
            inputMode="numeric"
            autocomplete="off"
            placeholder="Off"
            value={values.cooldownMinutes}
            error={errors.cooldownMinutes}
            hint={hint("cooldownMinutes", "1–10080 (a week).")}
          />
        </div>
      </fieldset>
      <SubmitButton>Save limits</SubmitButton>
    </form>
  );
}
