import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { compactSize } from "../../../services/money.ts";
import { Notice } from "../../../components/form.tsx";
import { loadAccountOverview } from "../../../services/accounts/overview.ts";
import type { AccountOverview } from "../../../services/accounts/overview_json.ts";
import AccountLive, { AccountDetails } from "../../../islands/account_live.tsx";
import EquityChart from "../../../islands/equity_chart.tsx";
import WhatIf from "../../../islands/what_if.tsx";
import { type PayoutPanelData, payoutPanelData } from "../../../services/payouts/trader.ts";
import { PayoutPanel } from "../(_components)/payout_panel.tsx";
import { type TradeOrigin, tradeOriginOf } from "../../../services/accounts/trade_source.ts";
import { PlatformName } from "../../../components/traded_on.tsx";

/** Signed-out visitors are sent to sign in and brought back here (`authorize` adds `next`). */
export const access = "authenticated";

interface Data {
  overview: AccountOverview;
  timeZone: string;
  purchased: boolean;
  /** Staff looking at someone else's account see a note saying so. */
  foreign: boolean;
  /** A funded account's payout readiness, request form and history (the owner's own view only). */
  payouts: PayoutPanelData | null;
  twoFactor: boolean;
  /** Set after a payout request from this page (`?requested=`). */
  payoutRequested: boolean;
  /** Who trades the account, fixed by its first trade, and the platform a connector named. */
  origin: TradeOrigin;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    const { deps, user, actor } = ctx.state;
    // Together (one round trip): the source is only shown once the overview has checked access.
    const [overview, origin] = await Promise.all([
      loadAccountOverview(deps.db.sql, { ...user, actor }, ctx.params.id),
      tradeOriginOf(deps.db.sql, ctx.params.id),
    ]);
    const name = `${overview.planName ?? "Account"} · ${overview.stageName}`;
    setMeta(ctx.state, name, "Your account's status, limits, equity and progress, live.");
    const foreign = overview.account.userId !== user.id;
    const payouts = overview.account.type === "funded" && !foreign
      ? await payoutPanelData(deps, user, overview.account.id, actor)
      : null;
    return page({
      overview,
      timeZone: user.timeZone,
      purchased: ctx.url.searchParams.get("purchased") === "1",
      foreign,
      payouts,
      twoFactor: user.twoFactorEnabled,
      payoutRequested: ctx.url.searchParams.get("requested") === overview.account.id,
      origin,
    }, { headers: { "cache-control": "no-store" } });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { account } = data.overview;
  const live = account.status === "active" || account.status === "paused";
  return (
    <div class="container-page py-8 sm:py-12">
      <nav aria-label="Breadcrumb" class="text-sm">
        <a class="link" href="/dashboard">Dashboard</a> <span aria-hidden="true">/</span>{" "}
        <span aria-current="page">This account</span>
      </nav>
      <div class="mt-3 flex flex-wrap items-center justify-between gap-3">
        <h1 class="text-2xl font-bold tracking-tight sm:text-3xl">
          {data.overview.planName ?? `${compactSize(account.initialBalance)} account`}
        </h1>
        {live && !data.foreign && (
          <a class="btn-primary" href={`/trade/${account.id}`}>
            {data.origin.source === "connector" ? "Positions" : "Trade"}{" "}
            <span class="sr-only">on this account</span> <span aria-hidden="true">→</span>
          </a>
        )}
      </div>
      {(data.purchased || data.foreign) && (
        <div class="mt-4 space-y-4">
          {data.purchased && (
            <Notice>
              Payment received. Your challenge has started: the figures below update as you trade.
            </Notice>
          )}
          {data.foreign && <Notice tone="info">You are viewing a trader's account as staff.</Notice>}
        </div>
      )}
      {account.status === "pending_kyc" && !data.foreign && (
        <div class="mt-4">
          <Notice tone="info">
            You passed: this funded account starts trading once your identity is verified.{" "}
            <a class="link font-semibold" href="/dashboard/verification">Verify your identity</a>
          </Notice>
        </div>
      )}
      <div class="mt-4">
        <AccountLive initial={data.overview} timeZone={data.timeZone} />
      </div>
      <TradedOnLine origin={data.origin} />
      {live && !data.foreign && (
        <p class="mt-4 text-sm">
          <a class="link font-semibold" href={`/dashboard/accounts/${account.id}/locks`}>Self-locks</a>
          <span class="text-muted">: your own daily loss, trade count and cooldown limits.</span>
        </p>
      )}
      <div class="mt-10">
        <EquityChart
          accountId={account.id}
          currency={account.currency}
          timeZone={data.timeZone}
          start={{
            time: account.lastEventAt ?? account.updatedAt,
            balance: account.balance,
            equity: account.equity,
            dailyFloor: account.dailyFloor,
            maxFloor: account.maxFloor,
          }}
          status={account.status}
        />
      </div>
      {live && data.overview.meters && (
        <div class="mt-10">
          <WhatIf accountId={account.id} currency={account.currency} />
        </div>
      )}
      <div class="mt-10">
        <AccountDetails initial={data.overview} timeZone={data.timeZone} />
      </div>
      {data.payouts && (
        <div class="mt-10 max-w-2xl">
          <PayoutPanel
            data={data.payouts}
            timeZone={data.timeZone}
            twoFactor={data.twoFactor}
            back={`/dashboard/accounts/${account.id}`}
            notice={data.payoutRequested ? "Your payout request was sent for review." : null}
          />
        </div>
      )}
    </div>
  );
});

/**
 * "Traded on: …": the venue, the platform the connector named (connector-supplied text, rendered as text
 * only), or nothing yet.
 */
function TradedOnLine(props: { origin: TradeOrigin }) {
  const { source, platform } = props.origin;
  return (
    <p class="mt-4 text-sm break-words" data-trade-source={source ?? "none"}>
      <span class="font-semibold">Traded on:</span> {source === "venue"
        ? "the built-in venue (the terminal's order ticket)."
        : source === "connector" && platform
        ? (
          <>
            <PlatformName platform={platform} />, through its connector. The terminal shows its positions,
            read-only.
          </>
        )
        : source === "connector"
        ? "your platform, through its connector (the terminal shows its positions, read-only)."
        : "nothing yet. The first trade decides: the built-in venue or your platform's connector, for good."}
    </p>
  );
}
