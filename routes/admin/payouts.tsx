import { z } from "zod";
import { ZoneNote } from "../../components/date_time.tsx";
import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, page } from "../../lib/define.ts";
import { BadRequest, type HttpError, NotFound } from "../../lib/errors.ts";
import { readForm, validate } from "../../lib/validation.ts";
import { can, rolesWith } from "../../services/auth/roles.ts";
import type { Readiness } from "../../services/engine/payout_readiness.ts";
import { formatMoney } from "../../services/money.ts";
import { listPayouts, PAYOUT_STATUSES, type StaffPayout } from "../../services/payouts/queries.ts";
import { readinessOf } from "../../services/payouts/readiness.ts";
import { type TradingRecord, tradingRecord } from "../../services/payouts/record.ts";
import { payoutActionInput, reviewPayout } from "../../services/payouts/review.ts";
import { formatDateTime } from "../../services/time.ts";
import { FormError, isFormError, Notice, Select, SubmitButton } from "../../components/form.tsx";
import { PAYOUT_STATUS, StatusBadge } from "../../components/status_badge.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";

/** The payout queue. Every staff role reads it; risk and admin decide (`payouts.review`). */
export const access = rolesWith("backoffice.view");

const filterSchema = z.object({
  status: z.enum(PAYOUT_STATUSES).or(z.literal("")).optional(),
  accountId: z.uuid("is not an account id").or(z.literal("")).optional(),
  userId: z.uuid("is not a user id").or(z.literal("")).optional(),
  cursor: z.string().max(200).optional(),
  id: z.uuid().optional(),
  done: z.enum(["approve", "reject", "mark_paid"]).optional(),
});

interface Detail {
  payout: StaffPayout;
  readiness: Readiness;
  record: TradingRecord;
}

interface Data {
  filter: { status: string; accountId: string; userId: string };
  items: StaffPayout[];
  nextCursor: string | null;
  detail: Detail | null;
  canDecide: boolean;
  timeZone: string;
  error: string | null;
  done: string | null;
}

const DONE: Record<string, string> = {
  approve: "Your approval is recorded.",
  reject: "The payout was rejected and the amount returned to the account.",
  mark_paid: "The payout is marked paid.",
};
/** The traders' payout statuses, but staff read a pending request as the queue's "Pending". */
const STATUS = { ...PAYOUT_STATUS, pending: { label: "Pending", tone: "neutral" } } as const;

async function load(
  ctx: Context<SignedInState>,
  params: Record<string, string>,
  error: string | null,
  status = 200,
) {
  setMeta(ctx.state, "Payouts", "Payout requests to review.");
  const { deps, user } = ctx.state;
  const q = validate(filterSchema, params);
  const filter = { status: q.status || "", accountId: q.accountId || "", userId: q.userId || "" };
  const list = await listPayouts(deps.db.sql, {
    status: q.status || undefined,
    accountId: q.accountId || undefined,
    userId: q.userId || undefined,
    cursor: q.cursor,
  });
  let detail: Detail | null = null;
  if (q.id) {
    const [payout] = (await listPayouts(deps.db.sql, { id: q.id })).items;
    if (!payout) throw new NotFound("No such payout.");
    const record = (await tradingRecord(deps.db.sql, payout.accountId))!;
    detail = { payout, record, readiness: await readinessOf(deps.db.sql, record.account, user.timeZone) };
  }
  return page<Data>({
    filter,
    items: list.items,
    nextCursor: list.nextCursor,
    detail,
    canDecide: can(user, "payouts.review"),
    timeZone: user.timeZone,
    error,
    done: q.done ? DONE[q.done] : null,
  }, { status, headers: { "cache-control": "no-store" } });
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return await load(ctx, Object.fromEntries(ctx.url.searchParams), null);
  },
  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const id = form.id ?? "";
    try {
      if (!z.uuid().safeParse(id).success) throw new NotFound("No such payout.");
      const input = validate(payoutActionInput, {
        action: form.intent,
        reason: form.reason,
        reference: form.reference,
      });
      await reviewPayout(deps, user, id, input, actor);
      return new Response(null, {
        status: 303,
        headers: { location: `/admin/payouts?id=${id}&done=${input.action}`, "cache-control": "no-store" },
      });
    } catch (error) {
      if (!(error instanceof BadRequest) && !isFormError(error)) throw error;
      const e = error as HttpError;
      const message = e.fields && Object.keys(e.fields).length
        ? Object.entries(e.fields).map(([k, v]) =>
          `${k === "action" ? "Action" : k[0].toUpperCase() + k.slice(1)} ${v}.`
        )
          .join(" ")
        : e.message;
      return await load(ctx, { id }, message, e.status);
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const when = (iso: string | null) => iso ? formatDateTime(new Date(iso), data.timeZone) : "—";
  const csv = new URLSearchParams({ format: "csv", limit: "1000" });
  for (const [k, v] of Object.entries(data.filter)) if (v) csv.set(k, v);
  return (
    <>
      <h1 class="text-2xl font-bold tracking-tight">Payouts</h1>
      <ZoneNote zone={data.timeZone} class="mt-1" />
      <form method="get" class="mt-4 flex flex-wrap items-end gap-3">
        <Select
          name="status"
          label="Status"
          value={data.filter.status}
          options={[
            { value: "", label: "Any" },
            ...PAYOUT_STATUSES.map((s) => ({ value: s, label: STATUS[s].label })),
          ]}
        />
        <label class="grid gap-1 text-sm">
          Account id
          <input
            name="accountId"
            value={data.filter.accountId}
            class="rounded-lg border border-line bg-surface px-3 py-2"
          />
        </label>
        <label class="grid gap-1 text-sm">
          Trader id
          <input
            name="userId"
            value={data.filter.userId}
            class="rounded-lg border border-line bg-surface px-3 py-2"
          />
        </label>
        <button type="submit" class="btn-primary">Filter</button>
        <a class="link text-sm" href={`/api/admin/payouts?${csv}`}>Export CSV</a>
      </form>

      <div class="mt-6 space-y-4">
        {data.done && <Notice>{data.done}</Notice>}
        {data.error && <FormError>{data.error}</FormError>}
      </div>
      {data.detail && <DetailView detail={data.detail} canDecide={data.canDecide} when={when} />}

      {data.items.length === 0
        ? <p class="mt-6 text-muted">No payouts.</p>
        : (
          <ScrollRegion label="Payout requests" class="mt-6 rounded-xl border border-line">
            <table class="w-full text-left text-sm">
              <caption class="sr-only">Payout requests, newest first</caption>
              <thead class="bg-raised">
                <tr>
                  <th scope="col" class="p-3">Requested</th>
                  <th scope="col" class="p-3">Trader</th>
                  <th scope="col" class="p-3">Status</th>
                  <th scope="col" class="p-3 text-right">Withdrawn</th>
                  <th scope="col" class="p-3 text-right">Trader share</th>
                  <th scope="col" class="p-3">Approvals</th>
                  <th scope="col" class="p-3">
                    <span class="sr-only">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((p) => (
                  <tr key={p.id} class="border-t border-line">
                    <td class="p-3 whitespace-nowrap">{when(p.requestedAt)}</td>
                    <td class="p-3">
                      {p.userName || p.userEmail}
                      <br />
                      <span class="text-muted">{p.userEmail}</span>
                    </td>
                    <td class="p-3">
                      <StatusBadge tone={STATUS[p.status].tone}>{STATUS[p.status].label}</StatusBadge>
                    </td>
                    <td class="p-3 text-right tabular-nums">{formatMoney(p.amount, p.currency)}</td>
                    <td class="p-3 text-right tabular-nums">{formatMoney(p.traderShare, p.currency)}</td>
                    <td class="p-3">{p.approvals}/{p.approvalsRequired}</td>
                    <td class="p-3">
                      <a class="link" href={`/admin/payouts?id=${p.id}`}>
                        Review<span class="sr-only">the payout of {p.userEmail}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      {data.nextCursor && (
        <p class="mt-4">
          <a
            class="link"
            href={`/admin/payouts?${new URLSearchParams({ ...data.filter, cursor: data.nextCursor })}`}
          >
            Older payouts
          </a>
        </p>
      )}
    </>
  );
});

function DetailView(props: { detail: Detail; canDecide: boolean; when: (iso: string | null) => string }) {
  const { payout: p, readiness: r, record } = props.detail;
  const money = (v: string | null) => v === null ? "—" : formatMoney(v, p.currency);
  const a = record.account;
  return (
    <section aria-labelledby="detail-h" class="card mt-6 grid gap-6 lg:grid-cols-2">
      <div>
        <h2 id="detail-h" class="text-xl font-bold tracking-tight">
          {money(p.traderShare)} to {p.userName || p.userEmail}
        </h2>
        <p class="mt-1 text-sm text-muted">
          <StatusBadge tone={STATUS[p.status].tone}>{STATUS[p.status].label}</StatusBadge> requested{" "}
          {props.when(p.requestedAt)} · {money(p.amount)} withdrawn · split {p.splitPercent} % · approvals
          {" "}
          {p.approvals}/{p.approvalsRequired}
        </p>
        {p.reason && <p class="mt-2 text-sm">Reason: {p.reason}</p>}
        {p.reference && <p class="mt-2 text-sm">Reference: {p.reference}</p>}
        <h3 class="mt-4 font-semibold">Trading record</h3>
        <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt class="text-muted">Account</dt>
          <dd>{a.id} ({a.status})</dd>
          <dt class="text-muted">Balance / equity</dt>
          <dd class="tabular-nums">
            {money(a.balance)} / {money(a.equity)} (initial {money(a.initial_balance)})
          </dd>
          <dt class="text-muted">Closed trades</dt>
          <dd>{record.trades} ({record.wins} won) · {record.open} open</dd>
          <dt class="text-muted">Net P&amp;L</dt>
          <dd class="tabular-nums">
            {money(record.netPnl)} (best {money(record.bestTrade)}, worst {money(record.worstTrade)})
          </dd>
          <dt class="text-muted">Breaches</dt>
          <dd>{record.breaches}</dd>
          <dt class="text-muted">Traded</dt>
          <dd>{props.when(record.firstTradeAt)} – {props.when(record.lastTradeAt)}</dd>
        </dl>
      </div>
      <div>
        <h3 class="font-semibold">If the trader asked for another payout now</h3>
        <ul class="mt-2 grid gap-1 text-sm">
          {r.conditions.map((c) => (
            <li key={c.key}>
              <span aria-hidden="true">{c.met ? "✓ " : "✗ "}</span>
              <span class="sr-only">{c.met ? "Met: " : "Not met: "}</span>
              {c.message}
            </li>
          ))}
        </ul>
        {props.canDecide && (p.status === "pending" || p.status === "approved") && (
          <div class="mt-6 grid gap-4">
            {p.status === "pending" && (
              <form method="post">
                <input type="hidden" name="id" value={p.id} />
                <SubmitButton intent="approve">Approve</SubmitButton>
              </form>
            )}
            {p.status === "approved" && (
              <form method="post" class="grid gap-2">
                <input type="hidden" name="id" value={p.id} />
                <label class="grid gap-1 text-sm">
                  Payment reference
                  <input
                    name="reference"
                    required
                    maxLength={200}
                    class="rounded-lg border border-line bg-surface px-3 py-2"
                  />
                </label>
                <SubmitButton intent="mark_paid">Mark paid</SubmitButton>
              </form>
            )}
            <form method="post" class="grid gap-2">
              <input type="hidden" name="id" value={p.id} />
              <label class="grid gap-1 text-sm">
                Reason (sent to the trader)
                <textarea
                  name="reason"
                  required
                  minLength={10}
                  maxLength={1000}
                  rows={3}
                  class="rounded-lg border border-line bg-surface px-3 py-2"
                />
              </label>
              <SubmitButton intent="reject" variant="secondary">Reject and return the amount</SubmitButton>
            </form>
          </div>
        )}
      </div>
    </section>
  );
}
