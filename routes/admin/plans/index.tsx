import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import { adminPlans } from "../../../services/plans/admin.ts";
import type { AdminPlan } from "../../../services/plans/queries.ts";
import { mostPopularPlanId } from "../../../services/commerce/trust_queries.ts";
import { formatMoney } from "../../../services/money.ts";
import { StatusBadge } from "../../../components/status_badge.tsx";
import { Notice } from "../../../components/form.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

/** The plan catalogue. Admins only (`plans.manage`); every other role gets the ordinary 404. */
export const access = rolesWith("plans.manage");

interface Data {
  plans: AdminPlan[];
  /** The plan /challenges marks "most popular" right now, and whether staff chose it. */
  popular: { id: string; chosen: boolean } | null;
  created: string | null;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(
      ctx.state,
      "Plans",
      "The plan catalogue: what is on sale, at which version, and who holds which.",
    );
    const { db } = ctx.state.deps;
    const [plans, popularId] = await Promise.all([adminPlans(db), mostPopularPlanId(db)]);
    const chosen = plans.find((p) => p.id === popularId)?.featured ?? false;
    return page({
      plans,
      popular: popularId ? { id: popularId, chosen } : null,
      created: ctx.url.searchParams.get("created"),
    }, { headers: { "cache-control": "no-store" } });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const selling = data.plans.filter((p) => p.active).length;
  const popular = data.plans.find((p) => p.id === data.popular?.id);
  return (
    <>
      <div class="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 class="text-2xl font-bold tracking-tight">Plans</h1>
          <p class="mt-2 max-w-2xl text-muted">
            {data.plans.length} plans, {selling}{" "}
            on sale. Editing a plan's rules publishes a new version: new purchases get it, accounts already
            opened keep the version they bought.
          </p>
        </div>
        <a class="btn-primary" href="/admin/plans/new">New plan</a>
      </div>
      {data.created && (
        <div class="mt-6">
          <Notice>The plan has been created and is on sale.</Notice>
        </div>
      )}
      <p class="mt-4 text-sm text-muted">
        Most popular on /challenges: {popular
          ? (
            <>
              <strong class="text-ink">{popular.name}</strong>{" "}
              {data.popular!.chosen ? "(chosen by staff)" : "(computed: the most paid orders)"}
            </>
          )
          : "none (no plan was chosen, and no plan leads in paid orders)"}
      </p>

      {data.plans.length === 0
        ? <p class="card mt-6">No plans yet. Create the first one to start selling.</p>
        : (
          <ScrollRegion label="Plans" class="relative mt-6 rounded-xl border border-line">
            <table class="w-full min-w-[52rem] text-left text-sm">
              <caption class="sr-only">Plans by family and size</caption>
              <thead class="bg-raised">
                <tr>
                  <th scope="col" class="p-3">Plan</th>
                  <th scope="col" class="p-3">Status</th>
                  <th scope="col" class="p-3 text-right">Price</th>
                  <th scope="col" class="p-3">Phases</th>
                  <th scope="col" class="p-3 text-right">Version</th>
                  <th scope="col" class="p-3">Accounts by version</th>
                </tr>
              </thead>
              <tbody>
                {data.plans.map((p) => <Row key={p.id} plan={p} popular={p.id === data.popular?.id} />)}
              </tbody>
            </table>
          </ScrollRegion>
        )}
    </>
  );
});

function Row({ plan, popular }: { plan: AdminPlan; popular: boolean }) {
  const total = plan.versions.reduce((n, v) => n + v.accounts, 0);
  return (
    <tr class="border-t border-line align-top">
      <th scope="row" class="p-3 font-normal">
        <a class="link font-semibold" href={`/admin/plans/${plan.id}`}>{plan.name}</a>
        <span class="block text-muted">{plan.family} · {plan.slug}</span>
        {popular && <span class="mt-1 block text-xs font-semibold text-brand-strong">★ Most popular</span>}
      </th>
      <td class="p-3">
        {plan.active
          ? <StatusBadge tone="good">Selling</StatusBadge>
          : <StatusBadge tone="neutral">Stopped</StatusBadge>}
      </td>
      <td class="p-3 text-right tabular-nums">{formatMoney(plan.price, plan.currency)}</td>
      <td class="p-3">{plan.definition.phases.map((ph) => ph.name).join(" → ")} → Funded</td>
      <td class="p-3 text-right tabular-nums">v{plan.version}</td>
      <td class="p-3 tabular-nums">
        <span class="font-semibold">{total}</span>
        <span class="text-muted">
          {" "}
          {total === 0
            ? "accounts"
            : `(${plan.versions.map((v) => `v${v.version}: ${v.accounts}`).join(" · ")})`}
        </span>
      </td>
    </tr>
  );
}
