import { ZoneNote } from "../../components/date_time.tsx";
import { DashboardNav } from "../../components/dashboard_nav.tsx";
import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { listAccountCards } from "../../services/accounts/overview.ts";
import AccountCards, { type CardData } from "../../islands/account_cards.tsx";
import ZoneNotice from "../../islands/zone_notice.tsx";

/** The signed-in trader's accounts; signed-out visitors are sent to sign in and brought back. */
export const access = "authenticated";

interface Data {
  cards: CardData[];
  timeZone: string;
}

/** Accounts still trading first (funded, then challenge phases), then the ones that ended; newest first within. */
const ORDER: Record<string, number> = {
  active: 0,
  paused: 0,
  pending: 1,
  pending_kyc: 1,
  passed: 2,
  failed: 3,
  closed: 4,
};

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Dashboard", "Your challenge and funded accounts at a glance, live.");
    const accounts = await listAccountCards(ctx.state.deps.db.sql, ctx.state.user.id);
    const cards = accounts
      .map(({ meters, planName, stageName, phaseName: _p, tradeSource, tradePlatform, ...account }) => ({
        account,
        planName,
        stageName,
        meters,
        tradeSource,
        tradePlatform,
      }))
      .sort((a, b) =>
        (ORDER[a.account.status] ?? 5) - (ORDER[b.account.status] ?? 5) ||
        Number(b.account.type === "funded") - Number(a.account.type === "funded")
      );
    return page({ cards, timeZone: ctx.state.user.timeZone }, { headers: { "cache-control": "no-store" } });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-8 sm:py-12">
    <h1 class="text-2xl font-bold tracking-tight sm:text-3xl">Dashboard</h1>
    <DashboardNav current="/dashboard" class="mt-4" />
    <ZoneNote zone={data.timeZone} class="mt-2" />
    <ZoneNotice profileZone={data.timeZone} />
    {data.cards.length === 0
      ? (
        <div class="card mt-8 max-w-2xl">
          <h2 class="text-xl font-bold tracking-tight">No accounts yet</h2>
          <p class="mt-2 text-muted">
            Buy a challenge to get your first evaluation account. It appears here with its balance, equity,
            limits and progress, live as you trade.
          </p>
          <a href="/challenges" class="btn-primary mt-6">Choose a challenge</a>
        </div>
      )
      : (
        <section aria-labelledby="accounts-h" class="mt-6">
          <div class="flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="accounts-h" class="text-lg font-semibold tracking-tight">Your accounts</h2>
            <a class="link text-sm" href="/challenges">Buy another challenge</a>
          </div>
          <div class="mt-4">
            <AccountCards cards={data.cards} timeZone={data.timeZone} />
          </div>
        </section>
      )}
  </div>
));
