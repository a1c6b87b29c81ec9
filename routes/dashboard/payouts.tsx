import { define, setMeta } from "../_define.ts";
import { ZoneNote } from "../../components/date_time.tsx";
import { DashboardNav } from "../../components/dashboard_nav.tsx";
import type { Context } from "../../lib/define.ts";
import { page } from "../../lib/define.ts";
import { BadRequest, type HttpError } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import type { SignedInState } from "../_define.ts";
import { isFormError } from "../../components/form.tsx";
import { PAYOUT_STATUS, StatusBadge } from "../../components/status_badge.tsx";
import { reauthenticate } from "../../services/auth/accounts.ts";
import { listTraderAccounts } from "../../services/accounts/trader_accounts.ts";
import { formatMoney } from "../../services/money.ts";
import { listPayouts, type StaffPayout } from "../../services/payouts/queries.ts";
import { requestPayout } from "../../services/payouts/requests.ts";
import { type PayoutPanelData, payoutPanelData, quotePayout } from "../../services/payouts/trader.ts";
import { formatDateTime } from "../../services/time.ts";
import { type PayoutConfirmation, PayoutPanel } from "./(_components)/payout_panel.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";

/** The trader's payouts: every payout, and the payout panel of each funded account. */
export const access = "authenticated";

interface PanelState {
  confirm?: PayoutConfirmation | null;
  amount?: string;
  error?: string | null;
  proofError?: string | null;
  notice?: string | null;
}

interface Data {
  payouts: StaffPayout[];
  panels: { title: string; data: PayoutPanelData; state: PanelState }[];
  timeZone: string;
  twoFactor: boolean;
}

const NO_STORE = { "cache-control": "no-store" };

async function load(
  ctx: Context<SignedInState>,
  focus: { accountId: string; state: PanelState } | null,
  status = 200,
) {
  setMeta(ctx.state, "Payouts", "Your payout requests and what each funded account needs for the next one.");
  const { deps, user, actor } = ctx.state;
  const accounts = (await listTraderAccounts(deps.db.sql, user.id)).filter((a) => a.type === "funded");
  const panels = await Promise.all(accounts.map(async (a) => ({
    title: `${a.planName} · funded account ${a.id.slice(0, 8)}`,
    data: await payoutPanelData(deps, user, a.id, actor),
    state: focus?.accountId === a.id ? focus.state : {},
  })));
  const { items } = await listPayouts(deps.db.sql, { userId: user.id, limit: 100 });
  return page<Data>(
    { payouts: items, panels, timeZone: user.timeZone, twoFactor: user.twoFactorEnabled },
    { status, headers: NO_STORE },
  );
}

/** Only pages of the dashboard are places to come back to (never another site). */
function backOf(value: string | undefined): string {
  return value && /^\/dashboard(\/[\w\-/]*)?$/.test(value) ? value : "/dashboard/payouts";
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    const requested = ctx.url.searchParams.get("requested");
    return await load(
      ctx,
      requested
        ? { accountId: requested, state: { notice: "Your payout request was sent for review." } }
        : null,
    );
  },

  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const accountId = form.accountId ?? "";
    const amount = (form.amount ?? "").trim();
    const back = backOf(form.back);
    let panel: PayoutPanelData | undefined;
    try {
      if (!/^\d{1,13}(\.\d{1,2})?$/.test(amount) || Number(amount) <= 0) {
        throw new BadRequest("Enter the amount as a number with at most 2 decimals, e.g. 2500.00.");
      }
      panel = await payoutPanelData(deps, user, accountId, actor);
      if (form.intent === "quote") {
        const quote = quotePayout(panel.readiness, amount);
        if (quote.problem) throw new BadRequest(quote.problem);
        const confirm = { ...quote, key: crypto.randomUUID() };
        return await load(ctx, { accountId, state: { confirm } });
      }
      if (form.intent !== "confirm") throw new BadRequest("Unknown form: send one of the page's buttons.");
      const proof = user.twoFactorEnabled ? { code: form.code ?? "" } : { password: form.password ?? "" };
      const stepped = await reauthenticate(deps, user, proof, actor);
      await requestPayout(deps, stepped, { accountId, amount }, form.key || crypto.randomUUID(), actor);
      const sep = back.includes("?") ? "&" : "?";
      return new Response(null, {
        status: 303,
        headers: { location: `${back}${sep}requested=${accountId}#payouts-${accountId}`, ...NO_STORE },
      });
    } catch (error) {
      if (!(error instanceof BadRequest) && !isFormError(error)) throw error;
      const e = error as HttpError;
      const proofError = form.intent === "confirm" ? e.fields?.code ?? e.fields?.password : undefined;
      if (proofError && panel) {
        // A mistyped password is no reason to start over: the same confirmation again, with the same
        // Idempotency-Key, and the error beside the field to correct (from the panel read before the proof:
        // a refused proof changed nothing).
        const quote = quotePayout(panel.readiness, amount);
        if (!quote.problem) {
          const confirm = { ...quote, key: form.key || crypto.randomUUID() };
          return await load(ctx, { accountId, state: { confirm, proofError } }, e.status);
        }
      }
      const message = e.fields && Object.keys(e.fields).length
        ? Object.entries(e.fields).map(([k, v]) => k === "amount" ? v : `${k} ${v}`).join(" ")
        : e.message;
      return await load(ctx, { accountId, state: { error: message, amount } }, e.status);
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-12">
    <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Payouts</h1>
    <DashboardNav current="/dashboard/payouts" class="mt-4" />
    <ZoneNote zone={data.timeZone} class="mt-2" />
    <section aria-labelledby="all-h" class="mt-8">
      <h2 id="all-h" class="text-xl font-bold tracking-tight">All your payouts</h2>
      {data.payouts.length === 0 ? <p class="mt-2 text-muted">No payouts yet.</p> : (
        // A name of its own: the section is already "All your payouts", and two landmarks with one name
        // cannot be told apart (axe landmark-unique).
        <ScrollRegion label="Your payouts table (scrolls)" class="mt-4 rounded-xl border border-line">
          <table class="w-full text-left text-sm">
            <caption class="sr-only">Your payouts, newest first</caption>
            <thead class="bg-raised">
              <tr>
                <th scope="col" class="p-3">Requested</th>
                <th scope="col" class="p-3">Status</th>
                <th scope="col" class="p-3 text-right">Withdrawn</th>
                <th scope="col" class="p-3 text-right">You receive</th>
                <th scope="col" class="p-3">Reference or reason</th>
              </tr>
            </thead>
            <tbody>
              {data.payouts.map((p) => (
                <tr key={p.id} class="border-t border-line">
                  <td class="p-3 whitespace-nowrap">
                    {formatDateTime(new Date(p.requestedAt), data.timeZone)}
                  </td>
                  <td class="p-3">
                    <StatusBadge tone={PAYOUT_STATUS[p.status].tone}>
                      {PAYOUT_STATUS[p.status].label}
                    </StatusBadge>
                  </td>
                  <td class="p-3 text-right tabular-nums">{formatMoney(p.amount, p.currency)}</td>
                  <td class="p-3 text-right font-semibold tabular-nums">
                    {formatMoney(p.traderShare, p.currency)}
                  </td>
                  <td class="p-3">{p.reference ?? p.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </section>
    {data.panels.length === 0
      ? (
        <p class="mt-8 max-w-2xl text-muted">
          Payouts are made from funded accounts. Pass a challenge to get one; it appears here.
        </p>
      )
      : (
        <div class="mt-10 grid gap-8 lg:grid-cols-2">
          {data.panels.map((p) => (
            <PayoutPanel
              key={p.data.accountId}
              title={p.title}
              data={p.data}
              timeZone={data.timeZone}
              twoFactor={data.twoFactor}
              back="/dashboard/payouts"
              {...p.state}
            />
          ))}
        </div>
      )}
  </div>
));
