import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { compactSize } from "../../services/money.ts";
import { loadAccountOverview } from "../../services/accounts/overview.ts";
import type { AccountOverview } from "../../services/accounts/overview_json.ts";
import { listInstruments, marketOpen } from "../../services/venue/instruments.ts";
import { venueAccount } from "../../services/venue/account_view.ts";
import { accountStatusBadge, isStaffPause, StatusBadge } from "../../components/status_badge.tsx";
import { formatDateTime } from "../../services/time_format.ts";
import type { InstrumentJson, TickJson, VenueAccountJson } from "../../islands/live/venue_types.ts";
import type { TerminalSeed } from "../../islands/live/terminal_store.ts";
import { AccountMeters } from "../../islands/account_live.tsx";
import TradeAccount from "../../islands/trade_account.tsx";
import TradeBook from "../../islands/trade_book.tsx";
import TradeChart from "../../islands/trade_chart.tsx";
import TradeTicket from "../../islands/trade_ticket.tsx";
import TradeWatchlist from "../../islands/trade_watchlist.tsx";

/** Signed-out visitors are sent to sign in and brought back here (`authorize` adds `next`). */
export const access = "authenticated";

/** The statuses an account trades in; any other shows the terminal read-only, saying why. */
const TRADING = new Set(["active", "paused"]);

interface Data {
  overview: AccountOverview;
  seed: TerminalSeed;
  quotes: TickJson[];
  timeZone: string;
  /** Why the account no longer (or not yet) trades; null while it trades. */
  ended: { text: string; link: { href: string; label: string } | null } | null;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    const { deps, user, actor } = ctx.state;
    // The terminal is the owner's alone: staff read accounts on their own screens. Reading as a trader makes
    // anyone else's account the same audited 404 as an id that does not exist.
    const overview = await loadAccountOverview(
      deps.db.sql,
      { id: user.id, role: "trader", actor },
      ctx.params.accountId,
    );
    const now = new Date();
    const instruments: InstrumentJson[] = (await listInstruments(deps.db.sql, { activeOnly: true })).map((
      i,
    ) => ({
      symbol: i.symbol,
      name: i.name,
      contractSize: i.contractSize,
      tickSize: i.tickSize,
      quoteCurrency: i.quoteCurrency,
      spread: i.spread,
      commissionPerLot: i.commissionPerLot,
      leverage: i.leverage,
      open: marketOpen(i, now),
    }));
    const symbols = new Set(instruments.map((i) => i.symbol));
    const asked = ctx.url.searchParams.get("symbol") ?? "";
    const symbol = symbols.has(asked)
      ? asked
      : symbols.has("EURUSD")
      ? "EURUSD"
      : instruments[0]?.symbol ?? "";
    // Assigned to the browser's type on purpose: this fails to compile if the two shapes drift apart.
    const venue: VenueAccountJson = await venueAccount(deps, user.id, overview.account.id, now);
    const name = overview.planName ?? `${compactSize(overview.account.initialBalance)} account`;
    setMeta(ctx.state, `Trade · ${name}`, "Chart, order ticket, positions and limits of your account, live.");
    return page({
      overview,
      seed: { accountId: overview.account.id, instruments, symbol, venue },
      quotes: deps.prices.all().filter((t) => symbols.has(t.symbol)),
      timeZone: user.timeZone,
      ended: endedWhy(overview, user.timeZone),
    }, { headers: { "cache-control": "no-store" } });
  },
}, { access });

function endedWhy(o: AccountOverview, timeZone: string): Data["ended"] {
  const a = o.account;
  if (TRADING.has(a.status)) return null;
  const page = `/dashboard/accounts/${a.id}`;
  switch (a.status) {
    case "failed": {
      const when = o.breach ? ` on ${formatDateTime(new Date(o.breach.at), timeZone)}` : "";
      const rule = o.breach?.rule === "daily_loss"
        ? "the daily loss limit was breached"
        : o.breach?.rule === "max_loss"
        ? "the maximum loss limit was breached"
        : o.breach?.rule === "time_limit"
        ? "the time limit ran out"
        : "a rule was breached";
      return {
        text:
          `This account failed${when}: ${rule}. Trading on it has ended; what it held is shown read-only.`,
        link: { href: `${page}#breach`, label: "See the evidence" },
      };
    }
    case "passed":
      return {
        text: "This phase passed: trading on it has ended, and the next stage trades on its own account.",
        link: { href: page, label: "Open the account for the next step" },
      };
    case "pending_kyc":
      return {
        text: "You passed: this funded account starts trading once your identity is verified.",
        link: { href: "/dashboard/verification", label: "Verify your identity" },
      };
    case "closed":
      return {
        text: "This account is closed: it no longer trades.",
        link: { href: page, label: "Its history" },
      };
    default:
      return { text: "This account has not started trading yet.", link: { href: page, label: "Its status" } };
  }
}

export default define.page<typeof handler>(({ data }) => {
  const { account } = data.overview;
  const status = accountStatusBadge(account.status, isStaffPause(account.status, data.overview.objectives));
  const name = data.overview.planName ?? `${compactSize(account.initialBalance)} account`;
  const readOnly = data.ended !== null;
  return (
    <div class="mx-auto w-full max-w-[100rem] px-3 py-4 sm:px-4" data-terminal={account.id}>
      <div class="flex flex-wrap items-center justify-between gap-2">
        <div>
          <nav aria-label="Breadcrumb" class="text-sm">
            <a class="link" href="/dashboard">Dashboard</a> <span aria-hidden="true">/</span>{" "}
            <a class="link" href={`/dashboard/accounts/${account.id}`}>{name}</a>{" "}
            <span aria-hidden="true">/</span> <span aria-current="page">Terminal</span>
          </nav>
          <h1 class="mt-1 flex flex-wrap items-center gap-2 text-xl font-bold tracking-tight">
            Trade · {name}
            <span class="text-sm font-normal text-muted">{data.overview.stageName}</span>
            <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
          </h1>
        </div>
        <p class="text-xs text-muted">Times in {data.timeZone}</p>
      </div>
      {data.ended && (
        <div
          role="status"
          class="mt-3 rounded-lg border border-line bg-raised px-4 py-3 text-sm"
          data-ended={account.status}
        >
          <b>Read-only.</b> {data.ended.text}{" "}
          {data.ended.link && (
            <a class="link font-semibold" href={data.ended.link.href}>{data.ended.link.label}</a>
          )}
        </div>
      )}
      <div class="mt-3">
        <TradeAccount seed={data.seed} account={account} />
      </div>
      <div class="mt-3 grid grid-cols-[minmax(0,1fr)] gap-3 lg:grid-cols-[15rem_minmax(0,1fr)_20rem]">
        <TradeWatchlist seed={data.seed} quotes={data.quotes} />
        <div class="min-h-[22rem] lg:min-h-[34rem]">
          <TradeChart seed={data.seed} timeZone={data.timeZone} />
        </div>
        {readOnly
          ? (
            <section aria-labelledby="ticket-h" class="card p-4 text-sm">
              <h2 id="ticket-h" class="text-base font-semibold">Order ticket</h2>
              <p class="mt-2 text-muted">No new orders: {data.ended!.text}</p>
            </section>
          )
          : <TradeTicket seed={data.seed} currency={account.currency} />}
      </div>
      <div class="mt-3">
        <TradeBook
          seed={data.seed}
          currency={account.currency}
          timeZone={data.timeZone}
          readOnly={readOnly}
        />
      </div>
      {data.overview.meters && (
        <section aria-labelledby="meters-h" class="mt-6">
          <h2 id="meters-h" class="text-lg font-semibold tracking-tight">Limits and goals</h2>
          <p class="mt-1 text-sm text-muted">
            The engine's figures for this account, checked at every tick: the floors are levels of equity, so
            they are measured here rather than drawn on the price chart.
          </p>
          <div class="mt-3">
            <AccountMeters initial={data.overview} timeZone={data.timeZone} />
          </div>
        </section>
      )}
    </div>
  );
});
