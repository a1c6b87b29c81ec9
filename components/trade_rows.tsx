import { useState } from "preact/hooks";
import { formatDateTime } from "./figures.ts";
import { fieldError, fixPrice, lots } from "../islands/live/trade_format.ts";
import type { PendingOrderJson, PositionJson } from "../islands/live/venue_types.ts";
import { ScrollRegion } from "./scroll_region.tsx";

/**
 * Rows and small forms of the terminal's tables (islands/trade_book.tsx): the side of a trade in words and
 * an arrow (never colour alone), a position's SL/TP and partial-close forms, and the pending orders table.
 * Browser-safe: rendered inside the island.
 */

export const TH = "px-2.5 py-2 font-medium text-muted";
export const TD = "whitespace-nowrap px-2.5 py-1.5";
/**
 * The colour of a result by its sign (figures that change at every tick are not flashed: that would blink
 * all the time). The sign written beside it carries the meaning; the colour repeats it.
 */
export function tone(amount: string | null): string {
  if (amount === null || /^-?0(\.0+)?$/.test(amount)) return "";
  return amount.startsWith("-") ? "text-red-700 dark:text-red-300" : "text-brand-strong";
}

const SMALL_INPUT = "w-24 rounded border border-line bg-surface px-2 py-1 text-sm tabular-nums " +
  "aria-[invalid=true]:border-red-700 dark:aria-[invalid=true]:border-red-400";
// Level with the inputs, which sit under a 1rem label (+0.125rem): the row's items align to the top, so an
// error under a field does not push the buttons down beside it.
const ROW_BUTTON = "mt-[1.125rem] rounded border border-line px-2.5 py-1 text-sm hover:border-brand";

export function Side(props: { direction: "buy" | "sell" }) {
  const buy = props.direction === "buy";
  return (
    <span
      class={`font-semibold ${
        buy ? "text-blue-700 dark:text-blue-300" : "text-orange-700 dark:text-orange-300"
      }`}
    >
      <span aria-hidden="true">{buy ? "↑ " : "↓ "}</span>
      {buy ? "Buy" : "Sell"}
    </span>
  );
}

/** The words of the venue's field keys in the position's row forms. */
export const MODIFY_LABELS: Record<string, string> = {
  sl: "Stop loss",
  tp: "Take profit",
  volume: "Volume to close",
};

/** `fieldError` in the position's row forms' words. */
export function modifyError(field: string, message: string): string {
  return fieldError(MODIFY_LABELS, field, message);
}

/** A row form's input, marked invalid with its error under it when the venue refused that field. */
function SmallField(props: {
  id: string;
  label: string;
  value: string;
  set(v: string): void;
  error?: string;
  placeholder?: string;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div class="text-xs">
      <label class="text-muted">
        {props.label}
        <input
          class={`${SMALL_INPUT} mt-0.5 block`}
          id={props.id}
          inputMode="decimal"
          value={props.value}
          placeholder={props.placeholder}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? errorId : undefined}
          onInput={(e) => props.set((e.target as HTMLInputElement).value)}
        />
      </label>
      {props.error && (
        <p id={errorId} class="mt-1 max-w-28 whitespace-normal text-red-700 dark:text-red-300">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * SL/TP editing and a partial close of one position (empty SL or TP removes it). `errors` are the venue's
 * field messages of the last refused save (keys sl, tp, volume), each said under its field.
 */
export function Modify(props: {
  position: PositionJson;
  errors?: Record<string, string>;
  onSave(sl: string | null, tp: string | null): void;
  onPartial(volume: string): void;
}) {
  const p = props.position;
  const [sl, setSl] = useState(p.sl ?? "");
  const [tp, setTp] = useState(p.tp ?? "");
  const [part, setPart] = useState("");
  const id = p.id.slice(0, 8);
  const error = (field: string) => {
    const message = props.errors?.[field];
    return message ? modifyError(field, message) : undefined;
  };
  return (
    <div class="flex flex-wrap items-start gap-3">
      <form
        class="flex flex-wrap items-start gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave(sl.trim() || null, tp.trim() || null);
        }}
      >
        <SmallField id={`sl-${id}`} label="Stop loss" value={sl} set={setSl} error={error("sl")} />
        <SmallField id={`tp-${id}`} label="Take profit" value={tp} set={setTp} error={error("tp")} />
        <button type="submit" class={ROW_BUTTON}>
          Save SL/TP
        </button>
      </form>
      <form
        class="flex flex-wrap items-start gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (part.trim()) props.onPartial(part.trim());
        }}
      >
        <SmallField
          id={`part-${id}`}
          label={`Volume to close (of ${lots(p.volume)})`}
          value={part}
          set={setPart}
          placeholder="0.05"
          error={error("volume")}
        />
        <button type="submit" class={ROW_BUTTON}>
          Close part
        </button>
      </form>
    </div>
  );
}

export function Orders(props: {
  orders: PendingOrderJson[];
  readOnly: boolean;
  timeZone: string;
  tickOf(symbol: string): string;
  act(method: "DELETE", path: string, body: unknown, done: string): Promise<boolean>;
}) {
  return (
    <ScrollRegion label="Pending orders (scrolls)" class="relative mt-2">
      <table class="w-full min-w-[44rem] text-left text-sm">
        <caption class="sr-only">Pending orders, waiting for their price</caption>
        <thead class="border-b border-line">
          <tr>
            <th scope="col" class={TH}>Symbol</th>
            <th scope="col" class={TH}>Side</th>
            <th scope="col" class={TH}>Type</th>
            <th scope="col" class={`${TH} text-right`}>Volume</th>
            <th scope="col" class={`${TH} text-right`}>Price</th>
            <th scope="col" class={`${TH} text-right`}>SL</th>
            <th scope="col" class={`${TH} text-right`}>TP</th>
            <th scope="col" class={TH}>Placed</th>
            {!props.readOnly && (
              <th scope="col" class={TH}>
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.orders.map((o) => {
            const tick = props.tickOf(o.symbol);
            return (
              <tr key={o.id} class="border-t border-line" data-order={o.id}>
                <td class={`${TD} font-semibold`}>{o.symbol}</td>
                <td class={TD}>
                  <Side direction={o.direction} />
                </td>
                <td class={`${TD} capitalize`}>{o.type}</td>
                <td class={`${TD} text-right tabular-nums`}>{lots(o.volume)}</td>
                <td class={`${TD} text-right tabular-nums`}>{o.price ? fixPrice(o.price, tick) : "—"}</td>
                <td class={`${TD} text-right tabular-nums`}>{o.sl ? fixPrice(o.sl, tick) : "—"}</td>
                <td class={`${TD} text-right tabular-nums`}>{o.tp ? fixPrice(o.tp, tick) : "—"}</td>
                <td class={`${TD} tabular-nums text-muted`}>
                  {formatDateTime(new Date(o.createdAt), props.timeZone)}
                </td>
                {!props.readOnly && (
                  <td class={`${TD} text-right`}>
                    <button
                      type="button"
                      class="rounded border border-line px-2 py-0.5 text-xs hover:border-brand"
                      onClick={() =>
                        props.act(
                          "DELETE",
                          `/orders/${o.id}`,
                          undefined,
                          `Cancelled ${o.direction} ${o.type} ${lots(o.volume)} ${o.symbol}.`,
                        )}
                    >
                      Cancel<span class="sr-only">
                        {` ${o.direction} ${o.type} ${lots(o.volume)} ${o.symbol}`}
                      </span>
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
