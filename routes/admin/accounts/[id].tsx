import { define, setMeta, type SignedInState } from "../../_define.ts";
import { type Context, page } from "../../../lib/define.ts";
import { BadRequest, Conflict, type HttpError, NotFound } from "../../../lib/errors.ts";
import { isUuid, readForm, validate } from "../../../lib/validation.ts";
import { can, rolesWith } from "../../../services/auth/roles.ts";
import { loadAccountOverview } from "../../../services/accounts/overview.ts";
import type { AccountOverview } from "../../../services/accounts/overview_json.ts";
import { accountActionInput, applyAccountAction } from "../../../services/accounts/admin.ts";
import { type StaffAccountFacts, staffAccountFacts } from "../../../services/monitor/staff_account.ts";
import { formatDateTime } from "../../../services/time.ts";
import { FormError, isFormError, Notice } from "../../../components/form.tsx";
import { accountStatusBadge, isStaffPause, StatusBadge } from "../../../components/status_badge.tsx";
import AccountLive, { AccountDetails } from "../../../islands/account_live.tsx";
import EquityChart from "../../../islands/equity_chart.tsx";
import { StaffActions } from "../(_components)/staff_actions.tsx";
import { selfLockStatus } from "../../../services/self_locks/status.ts";
import { type SelfLocksJson, selfLocksJson } from "../../../services/self_locks/json.ts";
import { LockState, TodayFigures } from "../../../components/self_lock_state.tsx";
import { TradedOn } from "../../../components/traded_on.tsx";

/** Every staff role that reads any account sees it; the actions need `accounts.reinstate`. */
export const access = rolesWith("accounts.read_any");

interface Data {
  overview: AccountOverview;
  facts: StaffAccountFacts;
  /** The trader's own limits on this account (null: no plan to judge them by). */
  locks: SelfLocksJson | null;
  canAct: boolean;
  timeZone: string;
  done: string | null;
  error: string | null;
  reason: string;
}

const ACTION_WORDS: Record<string, string> = {
  "admin.account_reinstated": "Reinstated",
  "admin.account_paused": "Paused",
  "admin.account_closed": "Closed",
};

const DONE: Record<string, string> = {
  reinstate: "The account was reinstated; its history and the failure stay visible.",
  pause: "The account is paused until it is reinstated.",
  close: "The account is closed.",
};

async function load(
  ctx: Context<SignedInState>,
  extra: { done: string | null; error: string | null; reason: string },
  status = 200,
) {
  const { deps, user, actor } = ctx.state;
  const id = ctx.params.id;
  if (!isUuid(id)) throw new NotFound("No such account.");
  const overview = await loadAccountOverview(deps.db.sql, { ...user, actor }, id);
  const [facts, locks] = await Promise.all([
    staffAccountFacts(deps.db.sql, id),
    selfLockStatus(deps.db.sql, id, new Date()),
  ]);
  if (!facts) throw new NotFound("No such account.");
  setMeta(
    ctx.state,
    `${facts.owner.email} · ${overview.planName ?? "Account"}`,
    "A trader's account, as staff.",
  );
  return page<Data>({
    overview,
    facts,
    locks: locks && selfLocksJson(locks),
    canAct: can(user, "accounts.reinstate"),
    timeZone: user.timeZone,
    ...extra,
  }, { status, headers: { "cache-control": "no-store" } });
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    const done = ctx.url.searchParams.get("done");
    return await load(ctx, { done: done && DONE[done] ? DONE[done] : null, error: null, reason: "" });
  },
  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    // Support reads this page but may not act: the same 404 as any route it may not use.
    if (!can(user, "accounts.reinstate")) throw new NotFound();
    const id = ctx.params.id;
    if (!isUuid(id)) throw new NotFound("No such account.");
    const form = await readForm(ctx.req);
    try {
      const input = validate(accountActionInput, { action: form.intent, reason: form.reason });
      await applyAccountAction(deps, actor, id, input);
      return new Response(null, {
        status: 303,
        headers: { location: `/admin/accounts/${id}?done=${input.action}`, "cache-control": "no-store" },
      });
    } catch (error) {
      if (!(error instanceof BadRequest) && !(error instanceof Conflict) && !isFormError(error)) throw error;
      const e = error as HttpError;
      const message = e.fields && Object.keys(e.fields).length
        ? Object.entries(e.fields).map(([k, v]) => `${k === "action" ? "Action" : "Reason"} ${v}.`).join(" ")
        : e.message;
      return await load(ctx, { done: null, error: message, reason: form.reason ?? "" }, e.status);
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { account } = data.overview;
  const { owner, plan } = data.facts;
  const staffPause = isStaffPause(account.status, data.overview.objectives);
  const status = accountStatusBadge(account.status, staffPause);
  const when = (iso: string) => formatDateTime(new Date(iso), data.timeZone);
  return (
    <>
      <nav aria-label="Breadcrumb" class="text-sm">
        <a class="link" href="/admin/accounts">Risk monitor</a> <span aria-hidden="true">/</span>{" "}
        <span aria-current="page">Account</span>
      </nav>
      <div class="mt-3 flex flex-wrap items-center gap-3">
        <h1 class="text-2xl font-bold tracking-tight">
          {data.overview.planName ?? "Demo account"} · {data.overview.stageName}
        </h1>
        <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
      </div>
      <dl class="mt-3 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]" data-facts>
        <dt class="text-muted">Trader</dt>
        <dd class="break-all">
          {owner.name ? `${owner.name} · ` : ""}
          <a class="link" href={`/admin/users/${owner.id}`}>{owner.email}</a>
          {owner.status !== "active" && <span class="text-muted">{` (${owner.status})`}</span>}
        </dd>
        <dt class="text-muted">Plan version</dt>
        <dd>{plan ? `${plan.name}, version ${plan.version}` : "None (demo)"}</dd>
        <dt class="text-muted">Traded on</dt>
        <dd class="break-words">
          <TradedOn source={data.facts.tradeSource} platform={data.facts.tradePlatform} />
        </dd>
        <dt class="text-muted">Account id</dt>
        <dd class="font-mono text-xs leading-5 break-all">{account.id}</dd>
      </dl>
      <div class="mt-6 space-y-4">
        {data.done && <Notice>{data.done}</Notice>}
        {data.error && <FormError>{data.error}</FormError>}
      </div>
      <div class="mt-6 grid items-start gap-6 lg:grid-cols-2">
        {data.canAct && (
          <StaffActions
            status={account.status}
            timeLimitFailure={data.overview.breach?.rule === "time_limit"}
            staffPause={staffPause}
            reason={data.reason}
          />
        )}
        <section aria-labelledby="trail-h" class="card p-4">
          <h2 id="trail-h" class="text-sm font-semibold uppercase tracking-wider text-muted">
            Staff actions
          </h2>
          {data.facts.actions.length === 0
            ? <p class="mt-2 text-sm text-muted">None yet.</p>
            : (
              <ol class="mt-2 grid gap-3 text-sm" data-trail>
                {data.facts.actions.map((a) => (
                  <li key={`${a.at}-${a.action}`}>
                    <p class="font-semibold">
                      {ACTION_WORDS[a.action] ?? a.action}
                    </p>
                    <p class="text-xs text-muted tabular-nums">{when(a.at)} · {a.actor ?? "system"}</p>
                    {a.reason && <p class="mt-1">{a.reason}</p>}
                  </li>
                ))}
              </ol>
            )}
        </section>
        {data.locks && (
          <div class="grid gap-6 lg:col-span-2 lg:grid-cols-2" data-self-locks>
            <LockState locks={data.locks} timeZone={data.timeZone} staff />
            <TodayFigures locks={data.locks} timeZone={data.timeZone} staff />
          </div>
        )}
      </div>
      <div class="mt-10">
        <div class="min-w-0 space-y-10">
          <AccountLive initial={data.overview} timeZone={data.timeZone} staff />
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
          <AccountDetails initial={data.overview} timeZone={data.timeZone} staff />
        </div>
      </div>
    </>
  );
});
