import type { FieldErrors } from "../lib/errors.ts";
import type { TradingHours } from "../services/venue/instruments.ts";
import { Checkbox, Field, Select, SubmitButton } from "./form.tsx";

/** The editor's fields as typed (numbers stay text, so a wrong entry is shown back as it was). */
export interface InstrumentValues {
  symbol: string;
  name: string;
  contractSize: string;
  tickSize: string;
  quoteCurrency: string;
  spread: string;
  commissionPerLot: string;
  leverage: string;
  volatility: string;
  referencePrice: string;
  hoursMode: "24/7" | "sessions";
  timeZone: string;
  open: string;
  close: string;
  days: number[];
  active: boolean;
}

const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** "Sun–Thu 17:05 → 17:00 next day, America/New_York" or "24/7". */
export function hoursLabel(hours: TradingHours | "24/7"): string {
  const parts = hoursParts(hours);
  return parts.zone ? `${parts.sessions} ${parts.zone.replace(" · ", ", ")}` : parts.sessions;
}

/**
 * The schedule for a narrow table cell: the sessions ("Sun–Thu 17:05 → 17:00") and the rest ("next day ·
 * America/New_York") apart.
 */
export function hoursParts(hours: TradingHours | "24/7"): { sessions: string; zone: string | null } {
  if (hours === "24/7") return { sessions: "24/7", zone: null };
  // Listed from Sunday, as trading weeks start.
  const order = [7, 1, 2, 3, 4, 5, 6].filter((d) => hours.days.includes(d));
  const names = order.map((d) => DAY_NAMES[d - 1]);
  const consecutive = order.every((d, i) => i === 0 || d === (order[i - 1] % 7) + 1);
  const days = consecutive && names.length > 2 ? `${names[0]}–${names.at(-1)}` : names.join(", ");
  const overnight = hours.close <= hours.open;
  return {
    sessions: `${days} ${hours.open} → ${hours.close}`,
    zone: `${overnight ? "next day · " : ""}${hours.timeZone}`,
  };
}

/**
 * The back office's instrument form: adds one (`editing` null) or saves the one being edited (its symbol is
 * fixed). Works without JavaScript; errors come back next to their fields.
 */
export function InstrumentEditor(
  props: { editing: string | null; values: InstrumentValues; errors: FieldErrors },
) {
  const { values: v, errors: e } = props;
  const daysError = e.days;
  return (
    <form method="post" action="/admin/instruments#editor" class="mt-5 space-y-6">
      {props.editing && <input type="hidden" name="symbol" value={props.editing} />}
      <div class="grid gap-5 sm:grid-cols-2">
        {props.editing ? null : (
          <Field
            name="symbol"
            label="Symbol"
            required
            maxLength={12}
            value={v.symbol}
            error={e.symbol}
            hint="3 to 12 capital letters or digits; fixed once created."
          />
        )}
        <Field name="name" label="Name" required maxLength={100} value={v.name} error={e.name} />
        <Field
          name="quoteCurrency"
          label="Quote currency"
          required
          maxLength={3}
          value={v.quoteCurrency}
          error={e.quoteCurrency}
          hint="The currency prices and P&L are in (JPY for USDJPY)."
        />
      </div>
      <fieldset class="grid gap-5 sm:grid-cols-3">
        <legend class="mb-2 text-sm font-semibold">Contract and prices</legend>
        <Field
          name="contractSize"
          label="Contract size"
          inputMode="decimal"
          value={v.contractSize}
          error={e.contractSize}
          hint="Units per lot."
        />
        <Field name="tickSize" label="Tick size" inputMode="decimal" value={v.tickSize} error={e.tickSize} />
        <Field
          name="spread"
          label="Typical spread"
          inputMode="decimal"
          value={v.spread}
          error={e.spread}
          hint="In price units."
        />
        <Field
          name="commissionPerLot"
          label="Commission per lot"
          inputMode="decimal"
          value={v.commissionPerLot}
          error={e.commissionPerLot}
          hint="USD per side."
        />
        <Field
          name="leverage"
          label="Leverage (1:N)"
          inputMode="numeric"
          value={v.leverage}
          error={e.leverage}
        />
        <Field
          name="volatility"
          label="Volatility"
          inputMode="decimal"
          value={v.volatility}
          error={e.volatility}
          hint="Simulator: one second's σ as a fraction of price."
        />
        <Field
          name="referencePrice"
          label="Reference price"
          inputMode="decimal"
          value={v.referencePrice}
          error={e.referencePrice}
          hint="Where the simulator starts."
        />
      </fieldset>
      <fieldset class="space-y-4">
        <legend class="mb-2 text-sm font-semibold">Trading hours</legend>
        <div class="grid gap-5 sm:grid-cols-2">
          <Select
            name="hoursMode"
            label="Schedule"
            value={v.hoursMode}
            options={[{ value: "sessions", label: "Weekly sessions" }, {
              value: "24/7",
              label: "Always open (24/7)",
            }]}
          />
          <Field
            name="timeZone"
            label="Time zone"
            value={v.timeZone}
            error={e.timeZone}
            hint="IANA name, e.g. America/New_York (DST follows it)."
          />
          <Field name="open" label="Session opens" type="time" value={v.open} error={e.open} />
          <Field
            name="close"
            label="Session closes"
            type="time"
            value={v.close}
            error={e.close}
            hint="Not after the opening time: closes the next day."
          />
        </div>
        <div
          role="group"
          aria-labelledby="days-label"
          aria-describedby={daysError ? "days-error" : undefined}
        >
          <p id="days-label" class="text-sm font-medium">Days a session opens</p>
          <div class="mt-2 flex flex-wrap gap-x-5 gap-y-2">
            {[7, 1, 2, 3, 4, 5, 6].map((d) => (
              <label key={d} class="inline-flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name={`day${d}`}
                  checked={v.days.includes(d)}
                  class="size-4 accent-brand-strong"
                />
                {DAY_NAMES[d - 1]}
              </label>
            ))}
          </div>
          {daysError && (
            <p id="days-error" class="mt-1.5 text-sm font-medium text-red-700 dark:text-red-400">
              Days: {daysError}.
            </p>
          )}
        </div>
      </fieldset>
      <Checkbox
        name="active"
        label="Active"
        checked={v.active}
        hint="Inactive instruments are hidden from traders and never open."
      />
      <div class="flex flex-wrap items-center gap-4">
        <SubmitButton intent={props.editing ? "update" : "create"}>
          {props.editing ? `Save ${props.editing}` : "Add instrument"}
        </SubmitButton>
        {props.editing && <a class="link text-sm" href="/admin/instruments">Cancel editing</a>}
      </div>
    </form>
  );
}
