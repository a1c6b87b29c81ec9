import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, page } from "../../lib/define.ts";
import { BadRequest, type FieldErrors, NotFound } from "../../lib/errors.ts";
import { isUuid, readForm } from "../../lib/validation.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { allCoupons, changeCoupon, createCoupon } from "../../services/commerce/coupon_admin.ts";
import type { Coupon } from "../../services/commerce/coupon_queries.ts";
import {
  couponChangesOf,
  type CouponFormValues,
  couponInputOf,
  couponValues,
  EMPTY_COUPON,
  postedCouponValues,
} from "../../services/commerce/coupon_form.ts";
import { adminPlans } from "../../services/plans/admin.ts";
import { formatMoney } from "../../services/money.ts";
import { FormError, formErrorHeaders, isFormError, Notice } from "../../components/form.tsx";
import { StatusBadge } from "../../components/status_badge.tsx";
import { DateTime, ZoneNote } from "../../components/date_time.tsx";
import { CouponEditor } from "../../components/coupon_editor.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";

/** Coupons: admins only (`coupons.manage`); everyone else gets the ordinary 404. */
export const access = rolesWith("coupons.manage");

const SAVED: Record<string, string> = {
  created: "The coupon has been created.",
  updated: "The coupon has been saved.",
  deactivated:
    "The coupon is switched off: checkout refuses it from now on. Paid orders keep their discount.",
  activated: "The coupon is switched on again.",
};

interface Data {
  coupons: Coupon[];
  plans: { id: string; name: string }[];
  editing: Coupon | null;
  editor: { values: CouponFormValues; errors: FieldErrors; message?: string };
  saved: string | null;
  timeZone: string;
  now: number;
}

async function render(
  ctx: Context<SignedInState>,
  editId: string | null,
  editor?: Data["editor"],
  init?: ResponseInit,
) {
  setMeta(ctx.state, "Coupons", "Discount codes: limits, validity and uses.");
  const { db } = ctx.state.deps;
  const zone = ctx.state.user.timeZone;
  const [coupons, plans] = await Promise.all([allCoupons(db), adminPlans(db)]);
  const editing = editId ? coupons.find((c) => c.id === editId) ?? null : null;
  if (editId && !editing) throw new NotFound();
  return page<Data>({
    coupons,
    plans: plans.map((p) => ({ id: p.id, name: p.name })),
    editing,
    editor: editor ?? { values: editing ? couponValues(editing, zone) : EMPTY_COUPON, errors: {} },
    saved: ctx.url.searchParams.get("saved"),
    timeZone: zone,
    now: Date.now(),
  }, { ...init, headers: { "cache-control": "no-store", ...init?.headers } });
}

function idOf(value: string | null | undefined): string | null {
  if (!value) return null;
  if (!isUuid(value)) throw new NotFound();
  return value;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return await render(ctx, idOf(ctx.url.searchParams.get("edit")));
  },

  async POST(ctx) {
    const { deps, actor, user } = ctx.state;
    const form = await readForm(ctx.req);
    const id = idOf(form.id);
    const planIds = Object.keys(form).filter((k) => k.startsWith("plan.")).map((k) => k.slice(5));
    const values = postedCouponValues(form, planIds);
    const done = (saved: string) =>
      new Response(null, {
        status: 303,
        headers: { location: `/admin/coupons?saved=${saved}`, "cache-control": "no-store" },
      });
    try {
      switch (form.intent) {
        case "create":
          await createCoupon(deps.db, actor, couponInputOf(values, user.timeZone));
          return done("created");
        case "update":
          if (!id) throw new BadRequest("Which coupon? The form lacks its id.");
          await changeCoupon(deps.db, actor, id, couponChangesOf(values, user.timeZone));
          return done("updated");
        case "deactivate":
        case "activate":
          if (!id) throw new BadRequest("Which coupon? The form lacks its id.");
          await changeCoupon(deps.db, actor, id, { active: form.intent === "activate" });
          return done(`${form.intent}d`);
        default:
          throw new BadRequest("Unknown form: send one of the page's buttons.");
      }
    } catch (error) {
      if (!isFormError(error) || (form.intent !== "create" && form.intent !== "update")) throw error;
      const message = error.fields ? "Please correct the highlighted fields." : error.message;
      return await render(ctx, form.intent === "update" ? id : null, {
        values,
        errors: error.fields ?? {},
        message,
      }, { status: error.status, headers: formErrorHeaders(error) });
    }
  },
}, { access });

/** What a coupon does at checkout right now, in a word. */
function statusOf(c: Coupon, now: number): { label: string; tone: "good" | "neutral" | "bad" } {
  if (!c.active) return { label: "Off", tone: "neutral" };
  if (c.expiresAt && Date.parse(c.expiresAt) <= now) return { label: "Expired", tone: "neutral" };
  if (c.startsAt && Date.parse(c.startsAt) > now) return { label: "Scheduled", tone: "neutral" };
  if (c.maxRedemptions !== null && c.redemptions >= c.maxRedemptions) {
    return { label: "Used up", tone: "bad" };
  }
  return { label: "Active", tone: "good" };
}

function discount(c: Coupon): string {
  return c.kind === "percent" ? `${c.value.replace(/\.00$/, "")} %` : formatMoney(c.value, c.currency!);
}

export default define.page<typeof handler>(({ data }) => {
  const names = new Map(data.plans.map((p) => [p.id, p.name]));
  return (
    <>
      <h1 class="text-2xl font-bold tracking-tight">Coupons</h1>
      <p class="mt-2 max-w-2xl text-muted">
        Codes traders type at checkout. A coupon's kind and value never change once created (orders keep what
        they were sold at); switch it off and create another instead.
      </p>
      {data.saved && SAVED[data.saved] && (
        <div class="mt-6">
          <Notice>{SAVED[data.saved]}</Notice>
        </div>
      )}

      <section aria-labelledby="list-h" class="mt-8">
        <h2 id="list-h" class="text-xl font-bold tracking-tight">All coupons</h2>
        <ZoneNote zone={data.timeZone} class="mt-1" />
        {/* Not labelled by list-h: the section is, and two landmarks with one name fail landmark-unique. */}
        {data.coupons.length === 0
          ? <p class="card mt-4">No coupons yet. Create the first one below.</p>
          : (
            <ScrollRegion label="Coupons table (scrolls)" class="relative mt-4 rounded-xl border border-line">
              <table class="w-full min-w-[56rem] text-left text-sm">
                <caption class="sr-only">Coupons, newest first</caption>
                <thead class="bg-raised">
                  <tr>
                    <th scope="col" class="p-3">Code</th>
                    <th scope="col" class="p-3 text-right">Discount</th>
                    <th scope="col" class="p-3">Plans</th>
                    <th scope="col" class="p-3 text-right">Uses</th>
                    <th scope="col" class="p-3 text-right">Per trader</th>
                    <th scope="col" class="p-3">Valid</th>
                    <th scope="col" class="p-3">Status</th>
                    <th scope="col" class="p-3">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.coupons.map((c) => {
                    const status = statusOf(c, data.now);
                    return (
                      <tr key={c.id} class="border-t border-line align-top">
                        <th scope="row" class="p-3 font-mono font-semibold">{c.code}</th>
                        <td class="p-3 text-right tabular-nums">{discount(c)}</td>
                        <td class="p-3">
                          {c.planIds === null
                            ? "All plans"
                            : c.planIds.map((id) => names.get(id) ?? "Removed plan").join(", ")}
                        </td>
                        <td class="p-3 text-right tabular-nums">
                          {c.redemptions}
                          <span class="text-muted">
                            {c.maxRedemptions === null ? " / no limit" : ` / ${c.maxRedemptions}`}
                          </span>
                        </td>
                        <td class="p-3 text-right tabular-nums">{c.maxPerUser ?? "no limit"}</td>
                        <td class="p-3 whitespace-nowrap">
                          {c.startsAt ? <DateTime at={c.startsAt} zone={data.timeZone} /> : "Now"} →{" "}
                          {c.expiresAt ? <DateTime at={c.expiresAt} zone={data.timeZone} /> : "no end"}
                        </td>
                        <td class="p-3">
                          <StatusBadge tone={status.tone}>{status.label}</StatusBadge>
                        </td>
                        <td class="p-3">
                          <div class="flex items-center gap-3">
                            <a class="link" href={`/admin/coupons?edit=${c.id}#editor`}>
                              Edit<span class="sr-only">{c.code}</span>
                            </a>
                            <form method="post">
                              <input type="hidden" name="id" value={c.id} />
                              <button
                                type="submit"
                                name="intent"
                                value={c.active ? "deactivate" : "activate"}
                                class="link text-sm"
                              >
                                {c.active ? "Switch off" : "Switch on"}
                                <span class="sr-only">{c.code}</span>
                              </button>
                            </form>
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </ScrollRegion>
          )}
      </section>

      <section id="editor" aria-labelledby="editor-h" class="card mt-10 max-w-3xl scroll-mt-6">
        <h2 id="editor-h" class="text-xl font-bold tracking-tight">
          {data.editing ? `Edit ${data.editing.code}` : "Create a coupon"}
        </h2>
        {data.editor.message && (
          <div class="mt-4">
            <FormError>{data.editor.message}</FormError>
          </div>
        )}
        <CouponEditor
          id={data.editing?.id ?? null}
          values={data.editor.values}
          errors={data.editor.errors}
          plans={data.plans}
          zone={data.timeZone}
        />
      </section>
    </>
  );
});
