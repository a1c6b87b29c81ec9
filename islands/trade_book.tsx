import { useEffect, useRef, useState } from "preact/hooks";
import { Modify, modifyError, Orders, Side, TD, TH, tone } from "../components/trade_rows.tsx";
import { formatDateTime, formatMoney, signedMoney } from "../components/figures.ts";
import { quotes } from "./live/price_stream.ts";
import { markPrice } from "../services/venue/pnl.ts";
import { selectSymbol, type TerminalSeed, terminalStore, venueAction } from "./live/terminal_store.ts";
import { fixPrice, liveAccount, lots } from "./live/trade_format.ts";
import { isTyping, refusalText } from "./live/trade_keys.ts";
import type { PositionJson } from "./live/venue_types.ts";
import {
  ClosedTrades,
  OutsideNote,
  OutsideRow,
  PhoneLines,
  SourceBadge,
} from "../components/trade_outside.tsx";
import { ScrollRegion } from "../components/scroll_region.tsx";

/** The actions column stays in view while the table scrolls sideways (390 px). */
const STICKY = "sticky right-0 bg-raised";

type Message = { tone: "done" | "refused"; text: string } | null;

/**
 * The account's open positions (P&L live from every tick, in the browser, with the venue's own formula;
 * close, partial close, edit SL/TP), pending orders (cancel) and the latest closed trades. Positions an
 * outside connector holds on the account are listed too, labelled and without actions (the venue cannot
 * close them). `readOnly` (an ended account) shows the tables without actions. X closes the venue position
 * whose row holds the focus (or the only position open, when it is the venue's).
 */
export default function TradeBook(
  props: { seed: TerminalSeed; currency: string; timeZone: string; readOnly: boolean },
) {
  const store = terminalStore(props.seed);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  // The field messages of the last refused SL/TP save or partial close, said under the open row's fields.
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const closeRef = useRef<(p: PositionJson, volume?: string) => void>(() => {});
  const venue = store.venue.value;
  const book = quotes.value;
  const instruments = store.instruments.value;
  const positions = venue?.positions ?? [];
  const orders = venue?.orders ?? [];
  const outside = venue?.outsidePositions ?? [];
  const open = positions.length + (venue?.outsideOpen ?? 0);
  const instrumentOf = (symbol: string) => instruments.find((i) => i.symbol === symbol);
  const live = venue ? liveAccount(venue, instruments, book) : null;
  const pnls = live?.pnls ?? [];
  const outsidePnls = live?.outsidePnls ?? [];
  const tickOf = (symbol: string) => instrumentOf(symbol)?.tickSize ?? "0.00001";

  const act = async (
    method: "POST" | "PATCH" | "DELETE",
    path: string,
    body: unknown,
    done: string,
  ): Promise<boolean> => {
    setMessage(null);
    setFieldErrors({});
    const res = await venueAction(method, `/api/venue/accounts/${store.accountId}${path}`, body);
    // The tables show the result before the words say it happened.
    await store.refresh();
    if (res.ok) setMessage({ tone: "done", text: done });
    else {
      const fields = Object.entries(res.fields);
      setFieldErrors(res.fields);
      // With field errors, the venue's sentence names its keys ("sl must be…"): say them in the fields' words.
      const text = fields.length
        ? refusalText(res.code, fields.map(([k, v]) => modifyError(k, v)).join(" "))
        : refusalText(res.code, res.message);
      setMessage({ tone: "refused", text });
    }
    return res.ok;
  };
  const close = (p: PositionJson, volume?: string) =>
    act(
      "POST",
      `/positions/${p.id}/close`,
      volume ? { volume } : {},
      `Closed ${lots(volume ?? p.volume)} of ${p.direction} ${lots(p.volume)} ${p.symbol}.`,
    );
  closeRef.current = close;

  useEffect(() => {
    if (props.readOnly) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || e.key.toLowerCase() !== "x") return;
      if (isTyping(e.target)) return;
      const view = store.venue.peek();
      const own = view?.positions ?? [];
      const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("[data-position]");
      // Without a focused row, X means "the" position only when nothing else (a connector's) is open.
      const only = own.length === 1 && (view?.outsideOpen ?? 0) === 0 ? own[0] : null;
      const target = own.find((p) => p.id === row?.dataset.position) ?? only;
      if (!target) return;
      e.preventDefault();
      closeRef.current(target);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [props.readOnly]);

  const money = (a: string) => formatMoney(a, props.currency);
  const total = live?.floating ?? null;
  return (
    <section aria-labelledby="book-h" class="card p-3 sm:p-4">
      <div class="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="book-h" class="text-base font-semibold tracking-tight">
          Positions <span class="font-normal text-muted">({open})</span>
        </h2>
        <p class="text-sm tabular-nums">
          <span class="text-muted">Floating P&L</span>{" "}
          <b data-figure="floating">
            <span class={tone(total)}>{total === null ? "—" : signedMoney(total, props.currency)}</span>
          </b>
        </p>
      </div>
      <div aria-live="polite" class="text-sm">
        {message && (
          <p
            role={message.tone === "refused" ? "alert" : undefined}
            data-outcome={message.tone}
            class={`mt-2 rounded-md border px-2.5 py-1.5 ${
              message.tone === "done"
                ? "border-brand/40 bg-brand/10"
                : "border-red-700/40 bg-red-50 text-red-800 dark:border-red-400/40 dark:bg-red-950/40 dark:text-red-200"
            }`}
          >
            {message.text}
          </p>
        )}
      </div>
      {open === 0
        ? (
          <p class="mt-2 text-sm text-muted">
            No open positions.{!props.readOnly && " Use the ticket to open one."}
          </p>
        )
        : (
          <ScrollRegion label="Open positions (scrolls)" class="@container relative mt-2">
            <table class="w-full text-left text-sm sm:min-w-[52rem]">
              <caption class="sr-only">
                Open positions with their live profit or loss{!props.readOnly && "; X closes the focused one"}
              </caption>
              <thead class="border-b border-line">
                <tr>
                  <th scope="col" class={TH}>Symbol</th>
                  {outside.length > 0 && <th scope="col" class={`${TH} max-sm:hidden`}>Source</th>}
                  <th scope="col" class={`${TH} max-sm:hidden`}>Side</th>
                  <th scope="col" class={`${TH} text-right max-sm:hidden`}>Volume</th>
                  <th scope="col" class={`${TH} text-right`}>P&L</th>
                  <th scope="col" class={`${TH} text-right`}>Open</th>
                  <th scope="col" class={`${TH} text-right`}>Now</th>
                  <th scope="col" class={`${TH} text-right`}>SL</th>
                  <th scope="col" class={`${TH} text-right`}>TP</th>
                  <th scope="col" class={TH}>Opened</th>
                  {!props.readOnly && (
                    <th scope="col" class={`${TH} ${STICKY}`}>
                      <span class="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {positions.map((p, n) => {
                  const i = instrumentOf(p.symbol);
                  const tick = i?.tickSize ?? "0.00001";
                  const q = book[p.symbol];
                  const name = `${p.direction} ${lots(p.volume)} ${p.symbol}`;
                  return [
                    <tr key={p.id} class="border-t border-line" data-position={p.id}>
                      <td class={`${TD} font-semibold`}>
                        <button type="button" class="link" onClick={() => selectSymbol(store, p.symbol)}>
                          {p.symbol}
                        </button>
                        {/* On a phone the side and volume ride under the symbol, so P&L and Close fit. */}
                        <PhoneLines
                          direction={p.direction}
                          volume={p.volume}
                          source={outside.length > 0 ? "venue" : undefined}
                        />
                      </td>
                      {outside.length > 0 && (
                        <td class={`${TD} max-sm:hidden`}>
                          <SourceBadge source="venue" />
                        </td>
                      )}
                      <td class={`${TD} max-sm:hidden`}>
                        <Side direction={p.direction} />
                      </td>
                      <td class={`${TD} text-right tabular-nums max-sm:hidden`}>{lots(p.volume)}</td>
                      <td
                        class={`${TD} text-right font-semibold tabular-nums ${tone(pnls[n])}`}
                        data-figure="pnl"
                      >
                        {pnls[n] == null ? "—" : signedMoney(pnls[n]!, props.currency)}
                      </td>
                      <td class={`${TD} text-right tabular-nums`}>{fixPrice(p.openPrice, tick)}</td>
                      <td class={`${TD} text-right tabular-nums`}>
                        {q ? fixPrice(markPrice(p.direction, q), tick) : "—"}
                      </td>
                      <td class={`${TD} text-right tabular-nums`}>{p.sl ? fixPrice(p.sl, tick) : "—"}</td>
                      <td class={`${TD} text-right tabular-nums`}>{p.tp ? fixPrice(p.tp, tick) : "—"}</td>
                      <td class={`${TD} tabular-nums text-muted`}>
                        {formatDateTime(new Date(p.openedAt), props.timeZone)}
                      </td>
                      {!props.readOnly && (
                        <td class={`${TD} ${STICKY} text-right`}>
                          <button
                            type="button"
                            class="rounded border border-line px-2 py-0.5 text-xs hover:border-brand"
                            aria-expanded={editing === p.id}
                            aria-controls={`edit-${p.id}`}
                            onClick={() => {
                              setEditing(editing === p.id ? null : p.id);
                              setFieldErrors({});
                            }}
                          >
                            Modify<span class="sr-only">{` ${name}`}</span>
                          </button>{" "}
                          <button
                            type="button"
                            class="rounded bg-ink px-2 py-0.5 text-xs font-semibold text-surface hover:opacity-90"
                            aria-keyshortcuts="X"
                            onClick={() => close(p)}
                          >
                            Close<span class="sr-only">{` ${name}`}</span>
                          </button>
                        </td>
                      )}
                    </tr>,
                    editing === p.id && !props.readOnly && (
                      <tr key={`${p.id}-edit`} id={`edit-${p.id}`} class="bg-surface">
                        <td colSpan={outside.length > 0 ? 11 : 10} class="px-2.5 py-2">
                          {
                            /* As wide as the box shows (100cqw: the scrolling region is the container), not as
                              the table: on a phone the forms wrap in view instead of running off to the right. */
                          }
                          <div class="sticky left-2.5 max-w-[calc(100cqw-1.25rem)]">
                            <Modify
                              position={p}
                              errors={fieldErrors}
                              onSave={async (sl, tp) => {
                                if (
                                  await act(
                                    "PATCH",
                                    `/positions/${p.id}`,
                                    { sl, tp },
                                    `SL/TP of ${name} saved.`,
                                  )
                                ) {
                                  setEditing(null);
                                }
                              }}
                              onPartial={async (volume) => {
                                if (await close(p, volume)) {
                                  setEditing(null);
                                }
                              }}
                            />
                          </div>
                        </td>
                      </tr>
                    ),
                  ];
                })}
                {outside.map((p, n) => (
                  <OutsideRow
                    key={`outside-${p.tradeId}`}
                    position={p}
                    pnl={outsidePnls[n] ?? null}
                    quote={book[p.symbol]}
                    tick={tickOf(p.symbol)}
                    currency={props.currency}
                    timeZone={props.timeZone}
                    actions={!props.readOnly}
                    sticky={STICKY}
                    onSymbol={(symbol) => selectSymbol(store, symbol)}
                  />
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      {outside.length > 0 && <OutsideNote shown={outside.length} open={venue?.outsideOpen ?? 0} />}
      <h2 class="mt-5 text-base font-semibold tracking-tight" id="orders-h">
        Pending orders <span class="font-normal text-muted">({orders.length})</span>
      </h2>
      {orders.length === 0 ? <p class="mt-2 text-sm text-muted">No pending orders.</p> : (
        <Orders
          orders={orders}
          readOnly={props.readOnly}
          timeZone={props.timeZone}
          act={act}
          tickOf={tickOf}
        />
      )}
      {venue && (
        <p class="mt-3 text-xs text-muted tabular-nums">
          Margin used {venue.margin.used ? money(venue.margin.used) : "—"} · free{" "}
          {live?.free ? money(live.free) : "—"}
        </p>
      )}
      {venue && (
        <ClosedTrades
          trades={venue.closed}
          accountId={store.accountId}
          currency={props.currency}
          timeZone={props.timeZone}
          tickOf={tickOf}
        />
      )}
    </section>
  );
}
