import { define, setMeta, type SignedInState } from "../../_define.ts";
import { type Context, page } from "../../../lib/define.ts";
import { BadRequest, type FieldErrors, NotFound } from "../../../lib/errors.ts";
import { isUuid, readForm } from "../../../lib/validation.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import { adminPlan, revisePlan, updatePlan } from "../../../services/plans/admin.ts";
import { priceableCurrencies } from "../../../services/plans/currencies.ts";
import type { AdminPlan } from "../../../services/plans/queries.ts";
import { type PlanFields, planFields } from "../../../services/plans/plan_form.ts";
import { diffDefinitions, type FieldChange } from "../../../services/plans/version_diff.ts";
import { mostPopularPlanId } from "../../../services/commerce/trust_queries.ts";
import { formatMoney } from "../../../services/money.ts";
import { formErrorHeaders, isFormError, Notice, SubmitButton } from "../../../components/form.tsx";
import { StatusBadge } from "../../../components/status_badge.tsx";
import { DateTime, ZoneNote } from "../../../components/date_time.tsx";
import {
  Editor,
  editorState,
  parsePlanFields,
  postedFields,
  withPhaseBlocks,
} from "./(_components)/editor.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

/** One plan: its rules editor with a live preview, selling on/off, the "most popular" mark, its versions. */
export const access = rolesWith("plans.manage");

const SAVED: Record<string, string> = {
  created: "The plan has been created at version 1 and is on sale.",
  versioned: "Saved as a new version. New purchases get it; accounts already opened keep theirs.",
  unchanged: "Nothing in the rules changed, so no new version was published.",
  stopped: "The plan is no longer on sale. Accounts already opened are not affected.",
  resumed: "The plan is on sale again.",
  featured: "The plan is now marked “most popular” on /challenges.",
  unfeatured: "The mark is removed: /challenges computes “most popular” from paid orders again.",
};

interface Version {
  version: number;
  createdAt: string;
  accounts: number;
  price: string;
  currency: string;
  /** What changed from the version before (null for version 1). */
  changes: FieldChange[] | null;
}

interface Data {
  plan: AdminPlan;
  popularId: string | null;
  state: ReturnType<typeof editorState>;
  history: Version[];
  saved: string | null;
  timeZone: string;
  currencies: string[];
}

async function render(
  ctx: Context<SignedInState>,
  planId: string,
  fields: PlanFields | null,
  errors: FieldErrors = {},
  message?: string,
  init?: ResponseInit,
) {
  const { db } = ctx.state.deps;
  const [plan, popularId, currencies] = await Promise.all([
    adminPlan(db, planId),
    mostPopularPlanId(db),
    priceableCurrencies(db.sql),
  ]);
  setMeta(ctx.state, plan.name, "Edit a plan's rules, selling status and versions.");
  const data: Data = {
    plan,
    popularId,
    state: editorState(fields ?? planFields(plan.definition, plan), errors, message),
    history: plan.versions.map((v, i) => ({
      version: v.version,
      createdAt: v.createdAt,
      accounts: v.accounts,
      price: v.price,
      currency: v.currency,
      changes: plan.versions[i + 1] ? diffDefinitions(plan.versions[i + 1].definition, v.definition) : null,
    })),
    saved: ctx.url.searchParams.get("saved"),
    timeZone: ctx.state.user.timeZone,
    currencies,
  };
  return page(data, { ...init, headers: { "cache-control": "no-store", ...init?.headers } });
}

function planIdOf(ctx: Context<SignedInState>): string {
  if (!isUuid(ctx.params.id)) throw new NotFound();
  return ctx.params.id;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return await render(ctx, planIdOf(ctx), null);
  },

  async POST(ctx) {
    const id = planIdOf(ctx);
    const { deps, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const done = (saved: string) =>
      new Response(null, {
        status: 303,
        headers: { location: `/admin/plans/${id}?saved=${saved}`, "cache-control": "no-store" },
      });
    switch (form.intent) {
      case "stop":
      case "resume":
        await updatePlan(deps, actor, id, { active: form.intent === "resume" });
        return done(form.intent === "stop" ? "stopped" : "resumed");
      case "feature":
      case "unfeature":
        await updatePlan(deps, actor, id, { featured: form.intent === "feature" });
        return done(`${form.intent}d`);
      case "layout":
        return await render(ctx, id, withPhaseBlocks(postedFields(form)));
      case "save":
        break;
      default:
        throw new BadRequest("Unknown form: send one of the page's buttons.");
    }
    const fields = withPhaseBlocks(postedFields(form));
    try {
      const before = await adminPlan(deps.db, id);
      const input = parsePlanFields(fields, "revise");
      const after = await revisePlan(deps, actor, id, input);
      return done(after.version === before.version ? "unchanged" : "versioned");
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.fields
        ? "Please correct the highlighted fields. Nothing was saved."
        : error.message;
      return await render(ctx, id, fields, error.fields ?? {}, message, {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { plan } = data;
  const popular = data.popularId === plan.id;
  return (
    <>
      <p class="text-sm">
        <a class="link" href="/admin/plans">Plans</a> / {plan.name}
      </p>
      <div class="mt-2 flex flex-wrap items-center gap-3">
        <h1 class="text-2xl font-bold tracking-tight">{plan.name}</h1>
        {plan.active
          ? <StatusBadge tone="good">Selling</StatusBadge>
          : <StatusBadge tone="neutral">Stopped</StatusBadge>}
        {popular && <StatusBadge tone="good">★ Most popular{plan.featured ? " (chosen)" : ""}</StatusBadge>}
      </div>
      <p class="mt-2 text-muted">
        {plan.family} · {plan.slug} · version {plan.version} · {formatMoney(plan.price, plan.currency)}
      </p>
      {data.saved && SAVED[data.saved] && (
        <div class="mt-4">
          <Notice>{SAVED[data.saved]}</Notice>
        </div>
      )}

      <section aria-labelledby="sale-h" class="mt-6 grid gap-4 md:grid-cols-2">
        <h2 id="sale-h" class="sr-only">Selling</h2>
        <form method="post" class="card flex flex-col gap-3 p-4 sm:p-5">
          <p class="font-semibold">{plan.active ? "On sale" : "Not on sale"}</p>
          <p class="text-sm text-muted">
            {plan.active
              ? "Stopping takes it off /challenges and checkout. Accounts already opened trade on."
              : "Resuming puts it back on /challenges and checkout at its current version."}
          </p>
          <div>
            <SubmitButton
              intent={plan.active ? "stop" : "resume"}
              variant={plan.active ? "danger" : "primary"}
            >
              {plan.active ? "Stop selling" : "Resume selling"}
            </SubmitButton>
          </div>
        </form>
        <form method="post" class="card flex flex-col gap-3 p-4 sm:p-5">
          <p class="font-semibold">“Most popular” mark</p>
          <p class="text-sm text-muted">
            {plan.featured
              ? "Chosen by staff: shown on /challenges while the plan is on sale, whatever the orders say."
              : "Without a choice, /challenges marks the plan with the most paid orders (none on a tie). Choosing this plan overrides that and clears any other choice."}
          </p>
          <div>
            <SubmitButton intent={plan.featured ? "unfeature" : "feature"} variant="secondary">
              {plan.featured ? "Remove the mark" : "Mark as most popular"}
            </SubmitButton>
          </div>
        </form>
      </section>

      <h2 class="mt-10 text-xl font-bold tracking-tight">Rules</h2>
      <p class="mt-1 max-w-2xl text-sm text-muted">
        Saving publishes version {plan.version + 1}{" "}
        when anything below changed. It is what new purchases get; the{" "}
        {plan.versions.reduce((n, v) => n + v.accounts, 0)} accounts already opened keep their version.
      </p>
      <Editor
        state={data.state}
        action={`/admin/plans/${plan.id}`}
        mode="edit"
        currencies={data.currencies}
      />

      <section aria-labelledby="history-h" class="mt-12">
        <h2 id="history-h" class="text-xl font-bold tracking-tight">Version history</h2>
        <ZoneNote zone={data.timeZone} class="mt-1" />
        <ol class="mt-4 space-y-4">
          {data.history.map((v) => (
            <VersionItem key={v.version} v={v} zone={data.timeZone} current={plan.version} />
          ))}
        </ol>
      </section>
    </>
  );
});

function VersionItem({ v, zone, current }: { v: Version; zone: string; current: number }) {
  return (
    <li class="card p-4 sm:p-5">
      <div class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h3 class="font-semibold">Version {v.version}</h3>
        {v.version === current && <StatusBadge tone="good">Current</StatusBadge>}
        <span class="text-sm text-muted">
          <DateTime at={v.createdAt} zone={zone} /> · {v.accounts} {v.accounts === 1 ? "account" : "accounts"}
          {" "}
          · {formatMoney(v.price, v.currency)}
        </span>
      </div>
      {v.changes === null
        ? <p class="mt-2 text-sm text-muted">The first version.</p>
        : v.changes.length === 0
        ? <p class="mt-2 text-sm text-muted">No rule changed.</p>
        : (
          <ScrollRegion label={`Changes in version ${v.version}`} class="mt-3">
            <table class="w-full min-w-[32rem] text-left text-sm">
              <caption class="sr-only">Changes in version {v.version}</caption>
              <thead>
                <tr class="text-muted">
                  <th scope="col" class="py-1 pr-3 font-medium">Field</th>
                  <th scope="col" class="py-1 pr-3 font-medium">Before</th>
                  <th scope="col" class="py-1 font-medium">After</th>
                </tr>
              </thead>
              <tbody>
                {v.changes.map((c) => (
                  <tr key={c.path} class="border-t border-line">
                    <th scope="row" class="py-1.5 pr-3 font-normal">{c.label}</th>
                    <td class="py-1.5 pr-3 tabular-nums text-muted line-through decoration-1">{c.before}</td>
                    <td class="py-1.5 tabular-nums font-semibold">{c.after}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
    </li>
  );
}
