import type { ComponentChildren } from "preact";
import type { AccountOverview } from "../../../services/accounts/overview_json.ts";
import { accountStatusBadge, isEnded, isStaffPause, StatusBadge } from "../../../components/status_badge.tsx";
import { countdown, formatMoney, signedMoney } from "../../../components/figures.ts";
import { Flash } from "../../../components/live.tsx";
import type { Formatters } from "./objectives.tsx";

/**
 * The account's status with its live marker and, when the account is no longer simply trading, what
 * happened and the next step: buy again after a failure, wait for the reset after a pause, open the next
 * phase after a pass. Browser-safe (rendered by the live island).
 */
export function AccountStatusPanel(
  props: {
    overview: AccountOverview;
    f: Formatters;
    now: number;
    marker: ComponentChildren;
    /** Staff looking at a trader's account: no trader's next step (buying again). */
    staff?: boolean;
  },
) {
  const { account, breach, next } = props.overview;
  // A daily-loss pause ends at a reset; a pause by staff has no end (no objective names one).
  const staffPause = isStaffPause(account.status, props.overview.objectives);
  const status = accountStatusBadge(account.status, staffPause);
  return (
    <div class="space-y-4">
      <p class="flex flex-wrap items-center gap-3 text-muted">
        {props.overview.stageName}
        <span data-status={account.status}>
          <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
        </span>
        {props.marker}
      </p>
      {account.status === "failed" && (
        <Banner tone="bad" title="This account failed" icon="✕">
          <p>
            {breach
              ? `${
                breach.rule === "daily_loss"
                  ? "The daily loss limit"
                  : breach.rule === "max_loss"
                  ? "The maximum loss limit"
                  : "The time limit"
              } was breached on ${props.f.time(breach.at)}. The evidence is below.`
              : "The evidence is below."} {props.staff
              ? "Only a reinstatement by staff lifts it."
              : "A failed account stays failed; start again with a new challenge."}
          </p>
          <p class="mt-3 flex flex-wrap gap-3">
            {!props.staff && <a class="btn-primary" href="/challenges">Buy a new challenge</a>}
            <a class="link self-center" href="#breach">See why</a>
          </p>
        </Banner>
      )}
      {staffPause && (
        <Banner tone="bad" title="Trading is paused by the firm" icon="‖">
          <p>
            The risk team paused this account; it trades again once staff reinstate it. The rules still apply.
          </p>
        </Banner>
      )}
      {account.status === "paused" && !staffPause && (
        <Banner tone="bad" title="Trading is paused for today" icon="‖">
          <p>
            The daily loss limit was reached; this is not a failure. Trading resumes at the next reset
            {account.nextResetAt && (
              <>
                ,{" "}
                <b class="tabular-nums">
                  {`${props.f.time(account.nextResetAt)} (in ${
                    countdown(Date.parse(account.nextResetAt) - props.now)
                  })`}
                </b>
              </>
            )}.
          </p>
        </Banner>
      )}
      {account.status === "passed" && (
        <Banner tone="good" title="Phase passed" icon="✓">
          {next
            ? (
              <p class="flex flex-wrap items-center gap-3">
                Your next account is open.
                <a class="btn-primary" href={`/dashboard/accounts/${next.accountId}`}>
                  Go to {next.stageName}
                </a>
              </p>
            )
            : (
              <p>
                Every objective is met. Your next account is being prepared; it appears on your dashboard.
              </p>
            )}
        </Banner>
      )}
    </div>
  );
}

function Banner(
  props: { tone: "good" | "bad"; title: string; icon: string; children: ComponentChildren },
) {
  const tone = props.tone === "bad"
    ? "border-red-700/50 bg-red-50 dark:border-red-400/50 dark:bg-red-950/40"
    : "border-brand-strong/50 bg-emerald-50 dark:bg-emerald-950/40";
  return (
    <section role="status" class={`rounded-xl border p-4 ${tone}`} aria-label={props.title}>
      <h2 class="flex items-center gap-2 font-semibold">
        <span aria-hidden="true">{props.icon}</span>
        {props.title}
      </h2>
      <div class="mt-2 text-sm">{props.children}</div>
    </section>
  );
}

/** Balance, equity and today's result (an ended account's last day's), each flashing when it changes. */
export function AccountFigures(props: { overview: AccountOverview }) {
  const { account, meters } = props.overview;
  const money = (a: string) => formatMoney(a, account.currency);
  // An ended account's day is the one it ended on, not today (as on the dashboard's cards).
  const ended = isEnded(account.status);
  return (
    <dl class="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <Figure label="Balance" id="fig-balance" value={account.balance}>{money(account.balance)}</Figure>
      <Figure label="Equity" id="fig-equity" value={account.equity}>{money(account.equity)}</Figure>
      <Figure
        label={ended ? "Last day's P&L" : "Today's P&L"}
        id="fig-today"
        value={meters?.todayPnl ?? "0.00"}
      >
        {meters ? signedMoney(meters.todayPnl, account.currency) : "—"}
      </Figure>
      <Figure label="Started with" id="fig-initial" value={account.initialBalance}>
        {money(account.initialBalance)}
      </Figure>
    </dl>
  );
}

function Figure(props: { label: string; id: string; value: string; children: ComponentChildren }) {
  return (
    <div class="card p-4">
      <dt class="text-sm text-muted">{props.label}</dt>
      <dd class="mt-1 text-xl font-semibold tracking-tight tabular-nums sm:text-2xl" id={props.id}>
        <Flash value={props.value}>{props.children}</Flash>
      </dd>
    </div>
  );
}
