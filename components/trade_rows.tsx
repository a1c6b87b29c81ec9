import { useState } from "preact/hooks";
import { formatDateTime } from "./figures.ts";
import { fixPrice, lots } from "../islands/live/trade_format.ts";
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

const SMALL_INPUT = "w-24 rounded border border-line bg-surface px-2 py-1 text-sm tabular-nums";

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

/** SL/TP editing and a partial close of one position (empty SL or TP removes it). */
export function Modify(props: {
  position: PositionJson;
  onSave(sl: string | null, tp: string | null): void;
  onPartial(volume: string): void;
}) {
  const p = props.position;
  const [sl, setSl] = useState(p.sl ?? "");
  const [tp, setTp] = useState(p.tp ?? "");
  const [part, setPart] = useState("");
  const id = p.id.slice(0, 8);
  return (
    <div class="flex flex-wrap items-end gap-3">
      <form
        class="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave(sl.trim() || null, tp.trim() || null);
        }}
      >
        <label class="text-xs text-muted">
          Stop loss
          <input
            class={`${SMALL_INPUT} mt-0.5 block`}
            id={`sl-${id}`}
            inputMode="decimal"
            value={sl}
            onInput={(e) => setSl((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="text-xs text-muted">
          Take profit
          <input
            class={`${SMALL_INPUT} mt-0.5 block`}
            id={`tp-${id}`}
            inputMode="decimal"
            value={tp}
            onInput={(e) => setTp((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="rounded border border-line px-2.5 py-1 text-sm hover:border-brand">
          Save SL/TP
        </button>
      </form>
      <form
        class="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (part.trim()) props.onPartial(part.trim());
        }}
      >
        <label class="text-xs text-muted">
          Volume to close (of {lots(p.volume)})
          <input
            class={`${SMALL_INPUT} mt-0.5 block`}
            inputMode="decimal"
            value={part}
            placeholder="0.05"
            onInput={(e) => setPart((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="rounded border border-line px-2.5 py-1 text-sm hover:border-brand">
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
