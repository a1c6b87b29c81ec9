import { define } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { BadRequest } from "../../lib/errors.ts";
import { readForm } from "../../lib/validation.ts";
import { qrSvgDataUrl, totpUri } from "../../services/auth/totp.ts";
import { formErrorHeaders, isFormError, Notice, retryAfterText } from "../../components/form.tsx";
import { ACTIONS } from "./(_components)/security_actions.ts";
import { load, NO_STORE } from "./(_components)/security_data.ts";
import type { Data } from "./(_components)/security_types.ts";
import { ProfileSection } from "./(_components)/profile_section.tsx";
import { EmailSection } from "./(_components)/email_section.tsx";
import { PasswordSection } from "./(_components)/password_section.tsx";
import { TwoFactorSection } from "./(_components)/two_factor_section.tsx";
import { SessionsSection } from "./(_components)/sessions_section.tsx";

export const access = "authenticated";

const TOTP_SECRET = /^[A-Z2-7]{32}$/;

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return page(await load(ctx), { headers: NO_STORE });
  },

  async POST(ctx) {
    const form = await readForm(ctx.req);
    const action = ACTIONS[form.intent ?? ""];
    if (!action) throw new BadRequest("Unknown form: send one of the page's buttons.");
    try {
      return await action.run(ctx, form);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const values = Object.fromEntries((action.keep ?? []).map((name) => [name, form[name] ?? ""]));
      const message = error.status === 429
        ? `Too many attempts. Try again ${retryAfterText(error)}.`
        : error.code === "step_up_required"
        ? "Enter your password to confirm it is you, then try again."
        : error.fields
        ? undefined
        : error.message;
      const extra: Partial<Data> = { state: { [action.section]: { values, errors: error.fields, message } } };
      // A wrong first code keeps the set-up on screen: the secret is the one already shown on this page.
      if (form.intent === "2fa-confirm" && error.status === 422 && TOTP_SECRET.test(form.secret ?? "")) {
        const uri = totpUri(form.secret, ctx.state.user.email);
        extra.enrollment = { secret: form.secret, qrDataUrl: qrSvgDataUrl(uri) };
      }
      return page(await load(ctx, extra), {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
  },
}, { access });

const NAV = [
  ["#profile", "Profile"],
  ["#email", "Email"],
  ["#password", "Password"],
  ["#two-factor", "Two-factor authentication"],
  ["#sessions", "Sessions"],
];

export default define.page<typeof handler>(({ data }) => {
  const { profile } = data;
  return (
    <div class="container-page py-12">
      <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Account security</h1>
      <p class="mt-3 text-muted">
        Signed in as {profile.email} ·{" "}
        <a class="font-semibold underline" href="/account/notifications">Notification settings</a> ·{" "}
        <a class="font-semibold underline" href="/account/data">Your data</a>
      </p>
      {data.welcome && (
        <div class="mt-6">
          <Notice>
            Welcome to PropTrade Pro! {profile.emailVerified
              ? "Your email address is confirmed."
              : `We have sent a confirmation link to ${profile.email}: check your email and open it to confirm your address.`}
          </Notice>
        </div>
      )}

      <div class="mt-10 lg:grid lg:grid-cols-[12rem_1fr] lg:gap-12">
        <nav aria-label="Account sections" class="hidden lg:block">
          <ul class="sticky top-6 space-y-1 text-sm">
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a class="nav-link block" href={href}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>

        <div class="min-w-0 space-y-8">
          <ProfileSection data={data} />
          <EmailSection data={data} />
          <PasswordSection data={data} />
          <TwoFactorSection data={data} />
          <SessionsSection data={data} />
        </div>
      </div>
    </div>
  );
});
