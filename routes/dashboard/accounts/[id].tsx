import type { ComponentChildren } from "preact";
import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { compactSize } from "../../../services/money.ts";
import { Notice } from "../../../components/form.tsx";
import { ACCOUNT_STATUS, StatusBadge } from "../../../components/status_badge.tsx";
import { findViewableAccount, type TraderAccount } from "../../../services/accounts/trader_accounts.ts";
import { formatters, ObjectiveList } from "../(_components)/objectives.tsx";
import { BreachEvidence } from "../(_components)/breach_evidence.tsx";

/** Signed-out visitors are sent to sign in and brought back here (`authorize` adds `next`). */
export const access = "authenticated";

interface Data extends TraderAccount {
  timeZone: string;
  purchased: boolean;
  /** Staff looking at someone else's account see a note saying so. */
  foreign: boolean;
}

export const handler = define.handlers<Data>({
  async GET(ctx) {
    const { deps, user, actor } = ctx.state;
    const found = await findViewableAccount(deps.db.sql, user!, actor, ctx.params.id, new Date());
    const name = `${found.plan?.name ?? "Account"} · ${found.stageName}`;
    setMeta(ctx.state, name, "Your account's status, balance, equity and progress.");
    return page({
      ...found,
      timeZone: user!.timeZone,
      purchased: ctx.url.searchParams.get("purchased") === "1",
      foreign: found.view.account.userId !== user!.id,
    }, { headers: { "cache-control": "no-store" } });
  },
});

export default define.page<typeof handler>(({ data }) => {
  const { account, objectives, breach } = data.view;
  const f = formatters(account.currency, data.timeZone);
  const status = ACCOUNT_STATUS[account.status] ?? { label: account.status, tone: "neutral" as const };
  const rule = data.plan
    ? data.stage === "funded" ? data.plan.funded : data.plan.phases[data.stage] ?? null
    : null;
  return (
    <div class="container-page py-12">
      <nav aria-label="Breadcrumb" class="text-sm">
        <a class="link" href="/dashboard">Dashboard</a> <span aria-hidden="true">/</span>{" "}
        <span aria-current="page">This account</span>
      </nav>
      <h1 class="mt-3 text-3xl font-bold tracking-tight sm:text-4xl">
        {data.plan?.name ?? `${compactSize(account.initialBalance)} account`}
      </h1>
      <p class="mt-2 flex flex-wrap items-center gap-3 text-muted">
        {data.stageName}
        <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
      </p>
      <div class="mt-6 space-y-4">
        {data.purchased && (
          <Notice>
            Payment received. Your challenge has started: the figures below update as you trade.
          </Notice>
        )}
        {data.foreign && <Notice tone="info">You are viewing a trader's account as staff.</Notice>}
      </div>

      <section aria-labelledby="figures-h" class="mt-8">
        <h2 id="figures-h" class="sr-only">Account figures</h2>
        <dl class="grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Figure label="Balance">{f.money(account.balance)}</Figure>
          <Figure label="Equity">{f.money(account.equity)}</Figure>
          <Figure label="Daily loss floor">
            {account.dailyFloor ? f.money(account.dailyFloor) : "None"}
          </Figure>
          <Figure label="Maximum loss floor">{account.maxFloor ? f.money(account.maxFloor) : "None"}</Figure>
        </dl>
        <p class="mt-3 text-sm text-muted">
          Started with {f.money(account.initialBalance)}.{" "}
          {account.lastEventAt ? `Last update ${f.time(account.lastEventAt)}.` : "No trading activity yet."}
          {account.nextResetAt && ` Next daily reset ${f.time(account.nextResetAt)}.`}
        </p>
      </section>

      {breach && (
        <section aria-labelledby="breach-h" class="card mt-10 border-red-700/40 dark:border-red-400/40">
          <h2 id="breach-h" class="text-xl font-bold tracking-tight">
            {breach.action === "pause" ? "Why trading is paused" : "Why this account failed"}
          </h2>
          <div class="mt-4">
            <BreachEvidence evidence={breach} f={f} />
          </div>
        </section>
      )}

      <section aria-labelledby="objectives-h" class="mt-10">
        <h2 id="objectives-h" class="text-xl font-bold tracking-tight">Objectives</h2>
        <p class="mt-2 text-sm text-muted">
          Times are shown in your time zone ({data.timeZone}); you can change it on your{" "}
          <a class="link" href="/account/security#profile">account page</a>.
        </p>
        <div class="mt-4">
          <ObjectiveList objectives={objectives} dailyLoss={rule?.dailyLoss ?? null} f={f} />
        </div>
      </section>
    </div>
  );
});

function Figure(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="card p-4">
      <dt class="text-sm text-muted">{props.label}</dt>
      <dd class="mt-1 text-xl font-bold tracking-tight sm:text-2xl">{props.children}</dd>
    </div>
  );
}
