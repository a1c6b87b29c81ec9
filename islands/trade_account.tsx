import type { ComponentChildren } from "preact";
import { formatMoney, signedMoney } from "../components/figures.ts";
import { LiveMarker, useNow } from "../components/live.tsx";
import { isEnded } from "../components/status_badge.tsx";
import { tone } from "../components/trade_rows.tsx";
import { subDecimal } from "../services/venue/decimal.ts";
import type { AccountJson } from "../services/accounts/overview_json.ts";
import { lastTickAt, priceConnection, quotes } from "./live/price_stream.ts";
import { accountSummary } from "./live/user_stream.ts";
import { type TerminalSeed, terminalStore } from "./live/terminal_store.ts";
import { liveAccount } from "./live/trade_format.ts";

/**
 * The account strip above the terminal: balance, equity and floating P&L marked at every tick in the browser
 * (the venue's equity moved by how far each position's P&L has moved since the venue's reading), margin, and
 * the room left to the daily and maximum loss floors — the engine's floors, which are money levels of equity,
 * not prices, so they are shown here and as meters below rather than on the price chart.
 */
export default function TradeAccount(props: { seed: TerminalSeed; account: AccountJson }) {
  const store = terminalStore(props.seed);
  const now = useNow();
  const a = accountSummary(props.account.id).value ?? props.account;
  const venue = store.venue.value;
  const money = (v: string) => formatMoney(v, a.currency);

  const live = venue ? liveAccount(venue, store.instruments.value, quotes.value) : null;
  const equity = live?.equity ?? a.equity;
  const floating = live?.floating ?? null;
  const free = live?.free ?? null;
  const room = (floor: string | null) => (floor === null ? null : subDecimal(equity, floor));
  const daily = room(a.dailyFloor);
  const max = room(a.maxFloor);
  return (
    <section aria-label="Account figures" class="card px-3 py-2.5 sm:px-4">
      <dl class="grid grid-cols-3 gap-x-3 gap-y-2 text-sm sm:grid-cols-4 lg:grid-cols-7">
        <Figure label="Balance">{money(venue?.balance ?? a.balance)}</Figure>
        <Figure label="Equity" figure="equity">{money(equity)}</Figure>
        <Figure label="Floating P&L" figure="floating-total" class={tone(floating)}>
          {floating === null ? "—" : signedMoney(floating, a.currency)}
        </Figure>
        <Figure label="Margin used">{venue?.margin.used ? money(venue.margin.used) : "—"}</Figure>
        <Figure label="Free margin">{free ? money(free) : "—"}</Figure>
        <Figure label="Room to daily floor" figure="room-daily">
          {daily === null ? "—" : money(daily)}
          {a.dailyFloor && (
            <span class="block text-xs font-normal text-muted">floor {money(a.dailyFloor)}</span>
          )}
        </Figure>
        <Figure label="Room to max floor" figure="room-max">
          {max === null ? "—" : money(max)}
          {a.maxFloor && <span class="block text-xs font-normal text-muted">floor {money(a.maxFloor)}</span>}
        </Figure>
      </dl>
      <p class="mt-1.5 flex flex-wrap items-center justify-between gap-2">
        <LiveMarker
          state={priceConnection.value}
          updatedAt={lastTickAt.value}
          now={now}
          ended={isEnded(a.status)}
        />
        <span class="text-xs text-muted">
          Equity and P&L are marked at each tick here; the limits below are the engine's own figures.
        </span>
      </p>
    </section>
  );
}

/** One figure of the strip; not flashed, since most change at every tick (the sign and words carry changes). */
function Figure(props: { label: string; figure?: string; class?: string; children: ComponentChildren }) {
  return (
    <div>
      <dt class="text-xs text-muted">{props.label}</dt>
      <dd class={`font-semibold tabular-nums ${props.class ?? ""}`} data-figure={props.figure}>
        {props.children}
      </dd>
    </div>
  );
}
