import type { FieldErrors } from "../../../lib/errors.ts";
import type { HistoryItem } from "../../../services/trading/history.ts";
import { Field, FormError, Select } from "../../../components/form.tsx";

/**
 * The history filters as a GET form: it works without script, and its query string is also the CSV link's
 * and the paging links'.
 */
export function HistoryFilterForm(props: {
  accounts: { id: string; name: string }[];
  values: Record<string, string>;
  errors: FieldErrors | null;
}) {
  const { values, errors } = props;
  const e = errors ?? {};
  const known = new Set(["accountId", "symbol", "direction", "result", "from", "to"]);
  const other = Object.entries(e).filter(([k]) => !known.has(k));
  return (
    <form method="get" action="/dashboard/history" class="card mt-6 p-4" aria-label="Filter trades">
      {other.length > 0 && (
        <FormError>
          {other.map(([k, m]) => k === "cursor" ? `This page link is no longer valid: ${m}.` : `${k} ${m}`)
            .join(" ")}
        </FormError>
      )}
      <div class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Select
          name="accountId"
          label="Account"
          value={values.accountId}
          error={e.accountId}
          class="col-span-2 sm:col-span-1"
          options={[
            { value: "", label: "All accounts" },
            ...props.accounts.map((a) => ({ value: a.id, label: a.name })),
          ]}
        />
        <Field
          name="symbol"
          label="Symbol"
          value={values.symbol}
          error={e.symbol}
          placeholder="e.g. EURUSD"
          autocomplete="off"
          maxLength={32}
        />
        <Select
          name="direction"
          label="Side"
          value={values.direction}
          error={e.direction}
          options={[{ value: "", label: "Buy and sell" }, { value: "buy", label: "Buy" }, {
            value: "sell",
            label: "Sell",
          }]}
        />
        <Select
          name="result"
          label="Result"
          value={values.result}
          error={e.result}
          options={[
            { value: "", label: "Any" },
            { value: "win", label: "Wins" },
            { value: "loss", label: "Losses" },
            { value: "breakeven", label: "Breakeven" },
            { value: "open", label: "Open" },
          ]}
        />
        <Field name="from" label="Opened from" type="date" value={values.from} error={e.from} />
        <Field name="to" label="Opened to" type="date" value={values.to} error={e.to} />
      </div>
      <div class="mt-4 flex flex-wrap items-center gap-4">
        <button type="submit" class="btn-primary">Apply filters</button>
        <a class="link text-sm" href="/dashboard/history">Clear</a>
      </div>
    </form>
  );
}

/** The query string of the current filters plus `extra` (blank values dropped). */
export function filterQuery(values: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...values, ...extra })) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export const RESULT_WORDS = { win: "Win", loss: "Loss", breakeven: "Breakeven", open: "Open" } as const;

export function resultOf(item: HistoryItem): keyof typeof RESULT_WORDS {
  if (item.status === "open" || item.pnl === null) return "open";
  return item.pnl.startsWith("-") ? "loss" : /^0(\.0+)?$/.test(item.pnl) ? "breakeven" : "win";
}

/** Prices and volumes as the venue writes them: trailing zeros dropped, at least 2 decimals. */
export function trimDecimal(value: string, minPlaces = 2): string {
  const [whole, fraction = ""] = value.split(".");
  const kept = fraction.replace(/0+$/, "").padEnd(minPlaces, "0");
  return kept ? `${whole}.${kept}` : whole;
}
