import { define, setMeta, type SignedInState } from "../_define.ts";
import { type Context, page } from "../../lib/define.ts";
import { BadRequest } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import { reauthenticate } from "../../services/auth/accounts.ts";
import { erasureImpact, requestErasure } from "../../services/privacy/erase.ts";
import { formErrorHeaders, isFormError, retryAfterText } from "../../components/form.tsx";
import { clearSessionCookies, secureCookies } from "../(_http)/auth_cookies.ts";
import { ExportSection } from "./(_components)/export_section.tsx";
import { ErasureSection } from "./(_components)/erasure_section.tsx";
import type { DataPageData } from "./(_components)/data_types.ts";

/** "Your data": the GDPR export and erasure of the signed-in trader. */
export const access = "authenticated";

const NO_STORE = { "cache-control": "no-store" };

async function load(
  ctx: Context<SignedInState>,
  errors: DataPageData["errors"] = {},
): Promise<DataPageData> {
  setMeta(
    ctx.state,
    "Your data",
    "Download everything PropTrade Pro holds about you, or erase your account.",
  );
  const { user, deps } = ctx.state;
  const impact = await erasureImpact(deps.db.sql, user.id);
  return { twoFactor: user.twoFactorEnabled, isStaff: user.role !== "trader", impact, errors };
}

export const handler = define.handlers<DataPageData, typeof access>({
  async GET(ctx) {
    return page(await load(ctx), { headers: NO_STORE });
  },

  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    const form = await readForm(ctx.req);
    const intent = form.intent === "export" || form.intent === "erase" ? form.intent : null;
    if (!intent) throw new BadRequest("Unknown form: send one of the page's buttons.");
    const proof = user.twoFactorEnabled ? { code: form.code ?? "" } : { password: form.password ?? "" };
    try {
      if (intent === "export") {
        // The proof opens the 5-minute step-up window the download checks; the browser follows the redirect
        // and saves the attachment, staying on this page.
        await reauthenticate(deps, user, proof, actor);
        return new Response(null, { status: 303, headers: { location: "/api/users/export", ...NO_STORE } });
      }
      if (form.confirm !== "on") {
        return page(await load(ctx, { erase: "Tick the box to confirm that erasure cannot be undone." }), {
          status: 422,
          headers: NO_STORE,
        });
      }
      await requestErasure(deps, user, proof, actor);
      ctx.state.cookies.push(...clearSessionCookies(secureCookies(deps.config.env, deps.config.appUrl)));
      return new Response(null, { status: 303, headers: { location: "/account/erased", ...NO_STORE } });
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.status === 429
        ? `Too many attempts. Try again ${retryAfterText(error)}.`
        : error.status === 422 || error.status === 401
        ? (user.twoFactorEnabled ? "That code is not correct." : "That password is not correct.")
        : error.message;
      return page(await load(ctx, { [intent]: message }), {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <div class="container-page py-12">
    <p class="text-sm">
      <a class="font-semibold underline" href="/account/security">Account security</a>
      <span aria-hidden="true" class="px-1">/</span>
      <span class="text-muted">Your data</span>
    </p>
    <h1 class="mt-3 text-3xl font-bold tracking-tight sm:text-4xl">Your data</h1>
    <p class="mt-3 max-w-2xl text-muted">
      Take a copy of everything we hold about you, or have your account erased. How long we keep each kind of
      record is in our <a class="font-semibold underline" href="/legal/privacy">privacy policy</a>.
    </p>
    <div class="mt-10 max-w-3xl space-y-8">
      <ExportSection data={data} />
      <ErasureSection data={data} />
    </div>
  </div>
));
