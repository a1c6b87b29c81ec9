import { z } from "zod";
import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, type HandlerResult, page } from "../../lib/define.ts";
import { HttpError, NotFound, ServiceUnavailable } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import { findActivePlan } from "../../services/plans/queries.ts";
import { purchase, type Quote, quotePurchase } from "../../services/commerce/purchase.ts";
import { describePlan } from "../../services/plans/describe.ts";
import { compactSize, formatMoney } from "../../services/money.ts";
import { isFormError, retryAfterText } from "../../components/form.tsx";
import { issueCheckoutToken, openCheckoutToken } from "./(_components)/checkout_token.ts";
import { type CheckoutData, CheckoutView } from "./(_components)/checkout_view.tsx";

/**
 * Buying a plan. Signed-out visitors are sent to sign in (or, from there, sign up) and brought back here.
 * Everything works without JavaScript: the coupon is applied by a POST that re-renders the page, and Pay
 * posts a one-time token (see checkout_token.ts) so a double submit cannot buy twice.
 */
export const access = "authenticated";

const planIdSchema = z.uuid();
const NO_STORE = { "cache-control": "no-store" };

type Ctx = Context<SignedInState>;
type Extra = Pick<CheckoutData, "couponInput" | "couponError" | "message" | "notice" | "awaiting">;

/** The page for `coupon` (null: none). A coupon the service refuses is shown inline, the total without it. */
async function load(ctx: Ctx, coupon: string | null, extra: Partial<Extra> = {}): Promise<CheckoutData> {
  const { deps, user } = ctx.state;
  const planId = ctx.params.planId;
  const plan = planIdSchema.safeParse(planId).success ? await findActivePlan(deps.db, planId) : null;
  if (!plan) throw new NotFound();
  setMeta(ctx.state, `Checkout: ${plan.name}`, `Buy the ${plan.name} challenge.`);
  let quote: Quote;
  let couponError = extra.couponError;
  try {
    quote = await quotePurchase(deps.db, user.id, { planId, coupon });
  } catch (error) {
    // Refused (422) or used up (409 coupon_exhausted): either way the reason is about the coupon field.
    if (!(error instanceof HttpError) || !error.fields?.coupon || !coupon) throw error;
    couponError = error.fields?.coupon ?? error.message;
    quote = await quotePurchase(deps.db, user.id, { planId, coupon: null });
  }
  const token = await issueCheckoutToken(ctx.state, user.id, {
    planId,
    coupon: quote.coupon?.code ?? null,
    amount: quote.amount,
    currency: quote.currency,
  });
  return {
    plan: {
      id: plan.id,
      name: plan.name,
      family: plan.family,
      size: compactSize(plan.initialBalance),
      summary: describePlan(plan.definition),
    },
    quote,
    token,
    // An applied coupon shows as stored (upper-case); a refused one as it was typed.
    couponInput: quote.coupon?.code ?? extra.couponInput ?? "",
    couponError,
    message: extra.message,
    notice: extra.notice,
    awaiting: extra.awaiting,
  };
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

export const handler = define.handlers<CheckoutData, typeof access>({
  async GET(ctx) {
    return page(await load(ctx, null), { headers: NO_STORE });
  },

  async POST(ctx) {
    const form = await readForm(ctx.req);
    if (form.intent === "apply") {
      const coupon = (form.coupon ?? "").trim();
      if (!coupon) {
        return page(await load(ctx, null, { couponError: "Enter a coupon code to apply." }), {
          status: 422,
          headers: NO_STORE,
        });
      }
      const data = await load(ctx, coupon, { couponInput: coupon });
      return page(data, { status: data.couponError ? 422 : 200, headers: NO_STORE });
    }
    if (form.intent === "remove-coupon") return page(await load(ctx, null), { headers: NO_STORE });
    if (form.intent === "pay") return await pay(ctx, form.token ?? "");
    return page(await load(ctx, null, { message: "Choose Apply or Pay." }), {
      status: 400,
      headers: NO_STORE,
    });
  },
}, { access });

async function pay(ctx: Ctx, sealed: string): Promise<HandlerResult<CheckoutData>> {
  const { deps, user, actor } = ctx.state;
  const planId = ctx.params.planId;
  const token = await openCheckoutToken(ctx.state, user.id, sealed);
  if (!token || token.planId !== planId) {
    const message = "This checkout page was open too long. Check the total below, then pay again.";
    return await rerender(ctx, null, { message }, 409);
  }
  try {
    // Charge exactly what the page showed: if the price or coupon changed since, show the new total first.
    const quote = await quotePurchase(deps.db, user.id, { planId, coupon: token.coupon });
    if (quote.amount !== token.amount || quote.currency !== token.currency) {
      const notice = `The total changed to ${
        formatMoney(quote.amount, quote.currency)
      } since this page was opened. Nothing was charged; check it and pay again.`;
      return await rerender(ctx, token.coupon, { notice }, 409);
    }
    // The token's nonce is the purchase's idempotency key: the same Pay form sent again (double click,
    // reload, back button, a second tab) waits for the first submission and lands on the same account.
    const result = await purchase(deps, actor, user.id, {
      planId,
      coupon: token.coupon,
      idempotencyKey: `checkout:${token.nonce}`,
    });
    if (result.accountId) return redirect(`/dashboard/accounts/${result.accountId}?purchased=1`);
    if (result.paymentUrl && /^https?:\/\//.test(result.paymentUrl)) return redirect(result.paymentUrl);
    return page(await load(ctx, token.coupon, { awaiting: result.order }), { headers: NO_STORE });
  } catch (error) {
    if (error instanceof ServiceUnavailable) {
      return await rerender(ctx, token.coupon, { message: `${error.message} Nothing was charged.` }, 503);
    }
    // Anything else that is not about the form (the plan went off sale: 404) goes to its error page.
    if (!isFormError(error)) throw error;
    const coupon = error.fields?.coupon ? null : token.coupon;
    const message = error.status === 429
      ? `Too many purchases in a short time. Try again ${retryAfterText(error)}.`
      : error.message;
    return await rerender(ctx, coupon, {
      message: error.fields?.coupon ? undefined : message,
      couponError: error.fields?.coupon,
      couponInput: token.coupon ?? "",
    }, error.status);
  }
}

/** The page again with a message; a coupon that no longer applies is shown as refused (see `load`). */
async function rerender(ctx: Ctx, coupon: string | null, extra: Partial<Extra>, status: number) {
  const headers = { ...NO_STORE, ...(status === 503 ? { "retry-after": "60" } : {}) };
  return page(await load(ctx, coupon, extra), { status, headers });
}

export default define.page<typeof handler>(({ data }) => <CheckoutView data={data} />);
