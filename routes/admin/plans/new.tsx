import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { BadRequest, NotFound } from "../../../lib/errors.ts";
import { isUuid, readForm } from "../../../lib/validation.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import { adminPlan, createPlan } from "../../../services/plans/admin.ts";
import { priceableCurrencies } from "../../../services/plans/currencies.ts";
import type { PlanDefinition } from "../../../services/plans/definition.ts";
import { planFields } from "../../../services/plans/plan_form.ts";
import { formErrorHeaders, isFormError } from "../../../components/form.tsx";
import {
  Editor,
  editorState,
  parsePlanFields,
  postedFields,
  withPhaseBlocks,
} from "./(_components)/editor.tsx";

export const access = rolesWith("plans.manage");

/** Where a new plan starts: one FTMO-style phase and a funded stage, to be edited. */
const STARTER: PlanDefinition = {
  name: "",
  currency: "USD",
  initialBalance: "100000.00",
  price: "",
  reset: { timeZone: "Europe/Prague", time: "00:00" },
  phases: [{
    name: "Challenge",
    profitTarget: { percent: "10" },
    dailyLoss: { percent: "5", of: "initial", anchor: "sod_balance", on: "equity", action: "fail" },
    maxLoss: { percent: "10", mode: "static", lockAtOffset: null },
    minTradingDays: 4,
    timeLimitDays: null,
    bestDayMaxPercent: null,
  }],
  funded: {
    profitSplitPercent: "80",
    minPayout: "100.00",
    payoutIntervalDays: 14,
    dailyLoss: { percent: "5", of: "initial", anchor: "sod_balance", on: "equity", action: "fail" },
    maxLoss: { percent: "10", mode: "static", lockAtOffset: null },
  },
};

type Data = { state: ReturnType<typeof editorState>; from: string | null; currencies: string[] };

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "New plan", "Create a plan.");
    // `?from=<plan id>` starts from a copy of that plan's current rules (a new size of a family).
    const from = ctx.url.searchParams.get("from");
    if (from && !isUuid(from)) throw new NotFound();
    const source = from ? await adminPlan(ctx.state.deps.db, from) : null;
    const fields = source
      ? planFields({ ...source.definition, name: `${source.definition.name} (copy)` }, {
        family: source.family,
        slug: "",
      })
      : planFields(STARTER, { family: "", slug: "" });
    const currencies = await priceableCurrencies(ctx.state.deps.db.sql);
    return page({ state: editorState(fields), from: source?.name ?? null, currencies }, {
      headers: { "cache-control": "no-store" },
    });
  },

  async POST(ctx) {
    setMeta(ctx.state, "New plan", "Create a plan.");
    const { deps, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const fields = withPhaseBlocks(postedFields(form));
    const currencies = await priceableCurrencies(deps.db.sql);
    if (form.intent === "layout") return page({ state: editorState(fields), from: null, currencies });
    if (form.intent !== "save") throw new BadRequest("Unknown form: send one of the page's buttons.");
    try {
      const input = parsePlanFields(fields, "create");
      const plan = await createPlan(deps, actor, {
        slug: input.slug!,
        family: input.family!,
        body: input.body,
      });
      return new Response(null, {
        status: 303,
        headers: { location: `/admin/plans/${plan.id}?saved=created`, "cache-control": "no-store" },
      });
    } catch (error) {
      if (!isFormError(error)) throw error;
      const errors = error.fields ?? {};
      return page<Data>(
        {
          state: editorState(
            fields,
            errors,
            error.fields ? "Please correct the highlighted fields." : error.message,
          ),
          from: null,
          currencies,
        },
        { status: error.status, headers: formErrorHeaders(error) },
      );
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <>
    <p class="text-sm">
      <a class="link" href="/admin/plans">Plans</a> / New plan
    </p>
    <h1 class="mt-2 text-2xl font-bold tracking-tight">New plan</h1>
    <p class="mt-2 max-w-2xl text-muted">
      {data.from ? `Starting from a copy of ${data.from}. ` : ""}
      The plan goes on sale as version 1 as soon as it is created. The preview shows what /rules and
      /challenges will say, computed by the same code.
    </p>
    <Editor state={data.state} action="/admin/plans/new" mode="create" currencies={data.currencies} />
  </>
));
