import { useEffect, useRef, useState } from "preact/hooks";
import { formatMoney } from "../components/figures.ts";
import { quotes } from "./live/price_stream.ts";
import { selectSymbol, type TerminalSeed, terminalStore, venueAction } from "./live/terminal_store.ts";
import { estimate, fieldError, fixPrice, lots } from "./live/trade_format.ts";
import type { Direction, OrderRequestJson, PositionJson } from "./live/venue_types.ts";
import { isTyping, REFUSALS } from "./live/trade_keys.ts";

type OrderType = OrderRequestJson["type"];
type Outcome =
  | { kind: "done"; text: string }
  | { kind: "refused"; title: string; text: string }
  | null;

const TYPE_WORDS = { market: "Market", limit: "Limit", stop: "Stop" } as const;

/** The venue's field keys in the ticket's words. */
const FIELD_WORDS: Record<string, string> = {
  symbol: "Symbol",
  volume: "Volume",
  price: "Price",
  sl: "Stop loss",
  tp: "Take profit",
};

/** "Volume must be between 0.01 and 100 lots.": the venue's field message under the field's name. */
const fieldSentence = (field: string, message: string) => fieldError(FIELD_WORDS, field, message);

const INPUT =
  "mt-1 block w-full rounded-md border border-line bg-surface px-2.5 py-1.5 text-sm tabular-nums aria-[invalid=true]:border-red-700";

/**
 * The order ticket: symbol, type (market, limit, stop), volume, the price of a pending order, optional SL and
 * TP, the margin and commission it would take, and two buttons that send it as a sell (at the bid) or a buy
 * (at the ask), showing the live prices. Keys: B buys, S sells (not while typing in a field). A refusal is
 * said in words with the venue's reason; a field the venue rejects is marked and explained beside it.
 */
export default function TradeTicket(props: { seed: TerminalSeed; currency: string }) {
  const store = terminalStore(props.seed);
  const [type, setType] = useState<OrderType>("market");
  const [volume, setVolume] = useState("0.10");
  const [price, setPrice] = useState("");
  const [sl, setSl] = useState("");
  const [tp, setTp] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const sendRef = useRef<(d: Direction) => void>(() => {});

  const symbol = store.symbol.value;
  const instrument = store.instruments.value.find((i) => i.symbol === symbol);
  const quote = quotes.value[symbol];
  const venue = store.venue.value;
  const tick = instrument?.tickSize ?? "0.00001";
  const at = type === "market" ? quote?.ask : price;
  const est = instrument && at ? estimate(instrument, volume, at, quotes.value, props.currency) : null;

  // An account a connector trades is never the venue's (services/accounts/trade_source.ts): the ticket is off
  // for good there, not just for now, and says why (the keys B and S do nothing either).
  const onPlatform = venue?.tradeSource === "connector";

  const send = async (direction: Direction) => {
    if (busy || onPlatform) return;
    setBusy(true);
    setOutcome(null);
    setFields({});
    const body: OrderRequestJson = { symbol, direction, type, volume: volume.trim() };
    if (type !== "market") body.price = price.trim();
    if (sl.trim()) body.sl = sl.trim();
    if (tp.trim()) body.tp = tp.trim();
    const res = await venueAction<{ order: { status: string }; position?: PositionJson }>(
      "POST",
      `/api/venue/accounts/${store.accountId}/orders`,
      body,
      // One key per press: a retry of the same request (not a second press) cannot place a second order.
      { "idempotency-key": crypto.randomUUID() },
    );
    // The tables show the result before the words say it happened.
    await store.refresh();
    setBusy(false);
    if (res.ok) {
      const side = direction === "buy" ? "Bought" : "Sold";
      setOutcome({
        kind: "done",
        text: res.body.position
          ? `${side} ${lots(res.body.position.volume)} ${symbol} at ${
            fixPrice(res.body.position.openPrice, tick)
          }.`
          : `${direction === "buy" ? "Buy" : "Sell"} ${type} ${
            lots(body.volume)
          } ${symbol} at ${body.price} placed: ` +
            "it fills when the price gets there.",
      });
    } else {
      setFields(res.fields);
      const title = REFUSALS[res.code] ?? "Order refused";
      // With field errors the venue's sentence names its keys ("Invalid input: volume must…"): say each in
      // the field's words instead.
      const worded = Object.entries(res.fields).map(([k, v]) => fieldSentence(k, v));
      const text = worded.length ? worded.join(" ") : res.message;
      // The venue's sentence often starts with the same words: say them once.
      const repeats = text.toLowerCase().startsWith(title.toLowerCase());
      setOutcome({ kind: "refused", title: repeats ? "Order refused" : title, text });
    }
  };
  sendRef.current = send;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "b" || key === "s") {
        e.preventDefault();
        sendRef.current(key === "b" ? "buy" : "sell");
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  // A flagged field the trader changes loses its error (it was about the value now gone), and the refusal
  // goes with the last one: what it said no longer describes the ticket.
  const edited = (name: string) => {
    const rest = { ...fields };
    delete rest[name];
    setFields(rest);
    if (Object.keys(rest).length === 0) setOutcome(null);
  };

  const field = (
    name: "volume" | "price" | "sl" | "tp",
    label: string,
    value: string,
    set: (v: string) => void,
    hint?: string,
  ) => (
    <div>
      <label for={`ticket-${name}`} class="block text-xs font-medium text-muted">{label}</label>
      <input
        id={`ticket-${name}`}
        name={name}
        inputMode="decimal"
        autoComplete="off"
        value={value}
        placeholder={hint}
        onInput={(e) => {
          set((e.target as HTMLInputElement).value);
          if (fields[name]) edited(name);
        }}
        aria-invalid={fields[name] ? "true" : undefined}
        aria-describedby={fields[name] ? `ticket-${name}-error` : undefined}
        class={INPUT}
      />
      {fields[name] && (
        <p id={`ticket-${name}-error`} class="mt-1 text-xs text-red-700 dark:text-red-300">
          {fieldSentence(name, fields[name])}
        </p>
      )}
    </div>
  );

  return (
    <section aria-labelledby="ticket-h" class="card p-3 sm:p-4" data-ticket>
      <h2 id="ticket-h" class="text-base font-semibold tracking-tight">Order ticket</h2>
      {/* break-words: the reason may name a connector's platform, 64 characters without a space at most. */}
      {venue && !venue.trading.allowed && (
        <p
          id="ticket-off"
          class="mt-2 rounded-md border border-line bg-surface px-2.5 py-2 text-sm break-words"
          role="status"
          data-ticket-off={venue.trading.code ?? undefined}
        >
          <span aria-hidden="true">‖</span>{" "}
          <b>{onPlatform ? "This ticket is off for this account." : "Trading is not allowed now."}</b>{" "}
          {venue.trading.reason}
        </p>
      )}
      <form
        class="mt-3 space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
          send(submitter?.value === "sell" ? "sell" : "buy");
        }}
      >
        {/* Disabling the fieldset disables every control in it (a browser rule): nothing to type or press. */}
        <fieldset
          disabled={onPlatform}
          aria-describedby={onPlatform ? "ticket-off" : undefined}
          class="min-w-0 space-y-3"
        >
          <div>
            <label for="ticket-symbol" class="block text-xs font-medium text-muted">Symbol</label>
            <select
              id="ticket-symbol"
              class={INPUT}
              value={symbol}
              onChange={(e) => selectSymbol(store, (e.target as HTMLSelectElement).value)}
            >
              {store.instruments.value.map((i) => (
                <option key={i.symbol} value={i.symbol}>{i.symbol} — {i.name}</option>
              ))}
            </select>
          </div>
          <fieldset>
            <legend class="text-xs font-medium text-muted">Order type</legend>
            <div class="mt-1 grid grid-cols-3 gap-1">
              {(["market", "limit", "stop"] as const).map((t) => (
                <label
                  key={t}
                  class="cursor-pointer rounded-md border border-line px-2 py-1.5 text-center text-sm has-[:checked]:border-brand-strong has-[:checked]:bg-brand-strong has-[:checked]:text-on-brand has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-brand"
                >
                  <input
                    type="radio"
                    name="type"
                    value={t}
                    checked={type === t}
                    onChange={() => setType(t)}
                    class="sr-only"
                  />
                  {TYPE_WORDS[t]}
                </label>
              ))}
            </div>
          </fieldset>
          <div class="grid grid-cols-2 gap-2">
            {field("volume", "Volume (lots)", volume, setVolume)}
            {type !== "market"
              ? field("price", `${type === "limit" ? "Limit" : "Stop"} price`, price, setPrice, quote?.bid)
              : (
                <div>
                  <p class="block text-xs font-medium text-muted">Price</p>
                  <p class="mt-1 px-0.5 py-1.5 text-sm text-muted">At market</p>
                </div>
              )}
            {field("sl", "Stop loss (optional)", sl, setSl)}
            {field("tp", "Take profit (optional)", tp, setTp)}
          </div>
          <dl class="grid grid-cols-2 gap-x-2 gap-y-0.5 text-xs" aria-label="Estimate">
            <dt class="text-muted">Margin</dt>
            <dd class="text-right tabular-nums" data-figure="margin">
              {est ? formatMoney(est.margin, props.currency) : "—"}
            </dd>
            <dt class="text-muted">Commission per side</dt>
            <dd class="text-right tabular-nums" data-figure="commission">
              {est ? formatMoney(est.commission, props.currency) : "—"}
            </dd>
            <dt class="text-muted">Free margin</dt>
            <dd class="text-right tabular-nums">
              {venue?.margin.free ? formatMoney(venue.margin.free, props.currency) : "—"}
            </dd>
          </dl>
          <div class="grid grid-cols-2 gap-2">
            <SideButton
              side="sell"
              price={quote ? fixPrice(quote.bid, tick) : null}
              type={type}
              busy={busy}
            />
            <SideButton side="buy" price={quote ? fixPrice(quote.ask, tick) : null} type={type} busy={busy} />
          </div>
        </fieldset>
        <p class="text-xs text-muted">
          Keys: <kbd class="kbd">B</kbd> buy · <kbd class="kbd">S</kbd> sell · <kbd class="kbd">X</kbd>{" "}
          closes the position in focus (outside text fields).
        </p>
        <div aria-live="polite" class="text-sm">
          {outcome?.kind === "done" && (
            <p class="rounded-md border border-brand/40 bg-brand/10 px-2.5 py-2" data-outcome="done">
              <span aria-hidden="true">✓</span> {outcome.text}
            </p>
          )}
          {outcome?.kind === "refused" && (
            <div
              role="alert"
              data-outcome="refused"
              class="rounded-md border border-red-700/40 bg-red-50 px-2.5 py-2 text-red-800 dark:border-red-400/40 dark:bg-red-950/40 dark:text-red-200"
            >
              <p class="font-semibold">
                <span aria-hidden="true">✕</span> {outcome.title}
              </p>
              <p>{outcome.text}</p>
            </div>
          )}
        </div>
      </form>
    </section>
  );
}

function SideButton(props: { side: Direction; price: string | null; type: OrderType; busy: boolean }) {
  const buy = props.side === "buy";
  const word = buy ? "Buy" : "Sell";
  return (
    <button
      type="submit"
      value={props.side}
      aria-keyshortcuts={buy ? "B" : "S"}
      disabled={props.busy}
      class={`flex flex-col items-center rounded-lg px-2 py-2 font-semibold text-white disabled:opacity-60 ${
        buy ? "bg-blue-700 hover:bg-blue-800" : "bg-orange-700 hover:bg-orange-800"
      }`}
    >
      <span>
        {word}
        {props.type === "market" ? "" : ` ${props.type}`} <kbd class="kbd-on">{buy ? "B" : "S"}</kbd>
      </span>
      <span class="text-sm font-normal tabular-nums">{props.price ?? "—"}</span>
    </button>
  );
}
