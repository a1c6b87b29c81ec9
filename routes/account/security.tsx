import { z } from "zod";
import type { ComponentChildren } from "preact";
import { define, setMeta, type State } from "../_define.ts";
import { type Context, page, type PageResponse } from "../../lib/define.ts";
import { BadRequest, Conflict, type FieldErrors } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import { changePassword, passwordSchema, resendVerification } from "../../services/auth/accounts.ts";
import { getProfile, type Profile, profileUpdateInput, updateProfile } from "../../services/auth/profile.ts";
import {
  listSessions,
  revokeOwnSession,
  type SessionView,
  signOutOtherSessions,
} from "../../services/auth/sessions.ts";
import { beginTotpEnrollment, confirmTotpEnrollment, disableTotp } from "../../services/auth/two_factor.ts";
import { qrSvgDataUrl, totpUri } from "../../services/auth/totp.ts";
import { enforce, RATE_RULES } from "../../services/rate_limit/rules.ts";
import { clearSessionCookies, secureCookies } from "../(_http)/auth_cookies.ts";
import {
  Field,
  FormError,
  formErrorHeaders,
  isFormError,
  Notice,
  retryAfterText,
  Select,
  SubmitButton,
} from "../../components/form.tsx";
import { readForm } from "../../lib/validation.ts";

export const access = "authenticated";

type Section = "profile" | "email" | "password" | "twoFactor" | "sessions";

/** A form of this page re-rendered after an error: the values to keep and the messages to show. */
interface SectionState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  message?: string;
}

interface Data {
  profile: Profile;
  sessions: SessionView[];
  welcome: boolean;
  /** Which change was just saved (after a redirect), shown in its section. */
  saved: string | null;
  state: Partial<Record<Section, SectionState>>;
  /** 2FA set-up in progress: the QR code and key to enter in the app. */
  enrollment?: { secret: string; qrDataUrl: string };
  /** Shown once, right after 2FA was turned on. */
  recoveryCodes?: string[];
}

type Ctx = Context<State>;
type Form = Record<string, string>;

interface Action {
  /** Where its errors are shown. */
  section: Section;
  /** Fields typed back into the form after an error (never passwords or codes). */
  keep?: string[];
  run(ctx: Ctx, form: Form): Promise<Response | PageResponse<Data>>;
}

// Everything here is personal, and some responses carry secrets (2FA key, recovery codes).
const NO_STORE = { "cache-control": "no-store" };

const TIME_ZONES = Intl.supportedValuesOf("timeZone").filter((tz) => tz.includes("/") || tz === "UTC");

async function load(ctx: Ctx, extra: Partial<Data> = {}): Promise<Data> {
  setMeta(ctx.state, "Account security", "Your profile, password, two-factor authentication and sessions.");
  const { deps, user } = ctx.state;
  const [profile, sessions] = await Promise.all([
    getProfile(deps.db.sql, user!),
    listSessions(deps.db.sql, user!),
  ]);
  return {
    profile,
    sessions,
    welcome: ctx.url.searchParams.has("welcome"),
    saved: ctx.url.searchParams.get("saved"),
    state: {},
    ...extra,
  };
}

function saved(what: string, anchor: string): Response {
  return new Response(null, {
    status: 303,
    headers: { location: `/account/security?saved=${what}#${anchor}`, ...NO_STORE },
  });
}

const changePasswordInput = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });
const profileInput = profileUpdateInput.pick({ firstName: true, lastName: true, timeZone: true });
const sessionInput = z.object({ sessionId: z.uuid("must be a session id") });
const TOTP_SECRET = /^[A-Z2-7]{32}$/;

/** One entry per form on the page, chosen by the submit button's `intent`. */
const ACTIONS: Record<string, Action> = {
  profile: {
    section: "profile",
    keep: ["firstName", "lastName", "timeZone"],
    async run(ctx, form) {
      const input = validate(profileInput, {
        firstName: form.firstName ?? "",
        lastName: form.lastName ?? "",
        timeZone: form.timeZone,
      });
      await updateProfile(ctx.state.deps, ctx.state.user!, input, ctx.state.actor);
      return saved("profile", "profile");
    },
  },
  "resend-verification": {
    section: "email",
    async run(ctx) {
      try {
        await resendVerification(ctx.state.deps, ctx.state.user!);
      } catch (error) {
        if (error instanceof Conflict) return saved("verified", "email");
        throw error;
      }
      return saved("verification", "email");
    },
  },
  password: {
    section: "password",
    async run(ctx, form) {
      const input = validate(changePasswordInput, form);
      await changePassword(ctx.state.deps, ctx.state.user!, input, ctx.state.actor).catch((error) => {
        // The password policy names the field "password"; on this form it is the new one.
        if (error.fields?.password) error.fields.newPassword = error.fields.password;
        throw error;
      });
      return saved("password", "password");
    },
  },
  "2fa-begin": {
    section: "twoFactor",
    async run(ctx) {
      const { deps, user } = ctx.state;
      const enrolment = await beginTotpEnrollment(deps.db, deps.totpKey, user!);
      const enrollment = { secret: enrolment.secret, qrDataUrl: enrolment.qrSvgDataUrl };
      return page(await load(ctx, { enrollment }), { headers: NO_STORE });
    },
  },
  "2fa-confirm": {
    section: "twoFactor",
    async run(ctx, form) {
      const { deps, user, actor } = ctx.state;
      const code = validate(z.object({ code: z.string().trim().min(1, "is required").max(32) }), form).code;
      const { recoveryCodes } = await confirmTotpEnrollment(deps.db, deps.totpKey, user!.id, code, actor);
      return page(await load(ctx, { recoveryCodes }), { headers: NO_STORE });
    },
  },
  "2fa-disable": {
    section: "twoFactor",
    async run(ctx, form) {
      const { deps, user, actor } = ctx.state;
      const code = validate(z.object({ code: z.string().trim().min(1, "is required").max(32) }), form).code;
      // Wrong codes are limited by the caller (two_factor.ts): the same budget as at sign-in.
      await enforce(deps.limiter, RATE_RULES.totp_account, user!.id);
      await disableTotp(deps.db, deps.totpKey, user!.id, code, actor);
      return saved("2fa-off", "two-factor");
    },
  },
  "session-revoke": {
    section: "sessions",
    async run(ctx, form) {
      const { deps, user, actor } = ctx.state;
      const { sessionId } = validate(sessionInput, form);
      await revokeOwnSession(deps.db, user!, sessionId, actor);
      if (sessionId !== user!.sessionId) return saved("session", "sessions");
      ctx.state.cookies.push(...clearSessionCookies(secureCookies(deps.config.env, deps.config.appUrl)));
      return new Response(null, { status: 303, headers: { location: "/", ...NO_STORE } });
    },
  },
  "sessions-revoke-others": {
    section: "sessions",
    async run(ctx) {
      const { deps, user, actor } = ctx.state;
      await signOutOtherSessions(deps.db, user!, actor);
      return saved("sessions", "sessions");
    },
  },
};

export const handler = define.handlers<Data>({
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
        : error.fields
        ? undefined
        : error.message;
      const extra: Partial<Data> = { state: { [action.section]: { values, errors: error.fields, message } } };
      // A wrong first code keeps the set-up on screen: the secret is the one already shown on this page.
      if (form.intent === "2fa-confirm" && error.status === 422 && TOTP_SECRET.test(form.secret ?? "")) {
        const uri = totpUri(form.secret, ctx.state.user!.email);
        extra.enrollment = { secret: form.secret, qrDataUrl: await qrSvgDataUrl(uri) };
      }
      return page(await load(ctx, extra), {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
  },
});

const SAVED: Record<string, string> = {
  profile: "Your profile has been saved.",
  password: "Your password has been changed, and your other sessions signed out.",
  "2fa-off": "Two-factor authentication is off.",
  session: "That session has been signed out.",
  sessions: "All your other sessions have been signed out.",
  verified: "Your email address is already confirmed.",
};

export default define.page<typeof handler>(({ data }) => {
  const { profile, state } = data;
  const dates = new Intl.DateTimeFormat("en", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: profile.timeZone,
  });
  const notice = (key: string) => data.saved === key && SAVED[key] ? <Notice>{SAVED[key]}</Notice> : null;
  return (
    <div class="container-page py-12">
      <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">Account security</h1>
      <p class="mt-3 text-muted">Signed in as {profile.email}</p>
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
            {[
              ["#profile", "Profile"],
              ["#email", "Email"],
              ["#password", "Password"],
              ["#two-factor", "Two-factor authentication"],
              ["#sessions", "Sessions"],
            ].map(([href, label]) => (
              <li key={href}>
                <a class="nav-link block" href={href}>{label}</a>
              </li>
            ))}
          </ul>
        </nav>

        <div class="min-w-0 space-y-8">
          <Card id="profile" title="Profile">
            {notice("profile")}
            <SectionError state={state.profile} />
            <form method="post" class="space-y-5">
              <div class="grid gap-5 sm:grid-cols-2">
                <Field
                  name="firstName"
                  label="First name"
                  autocomplete="given-name"
                  maxLength={100}
                  value={state.profile?.values?.firstName ?? profile.firstName}
                  error={state.profile?.errors?.firstName}
                />
                <Field
                  name="lastName"
                  label="Last name"
                  autocomplete="family-name"
                  maxLength={100}
                  value={state.profile?.values?.lastName ?? profile.lastName}
                  error={state.profile?.errors?.lastName}
                />
              </div>
              <Select
                name="timeZone"
                label="Time zone"
                value={state.profile?.values?.timeZone ?? profile.timeZone}
                error={state.profile?.errors?.timeZone}
                options={(TIME_ZONES.includes(profile.timeZone)
                  ? TIME_ZONES
                  : [profile.timeZone, ...TIME_ZONES])
                  .map((tz) => ({ value: tz, label: tz.replaceAll("_", " ") }))}
                class="sm:max-w-sm"
              />
              <SubmitButton intent="profile">Save profile</SubmitButton>
            </form>
          </Card>

          <Card id="email" title="Email">
            {notice("verified")}
            {data.saved === "verification" && (
              <Notice>We have sent a new confirmation link to {profile.email}.</Notice>
            )}
            <SectionError state={state.email} />
            <p class="flex flex-wrap items-center gap-3">
              <span class="font-medium break-all">{profile.email}</span>
              <Badge on={profile.emailVerified}>
                {profile.emailVerified ? "Confirmed" : "Not confirmed"}
              </Badge>
            </p>
            {!profile.emailVerified && (
              <form method="post" class="flex flex-wrap items-center gap-4">
                <p class="text-sm text-muted">Did not get the link, or did it expire?</p>
                <SubmitButton intent="resend-verification" variant="secondary">Send a new link</SubmitButton>
              </form>
            )}
          </Card>

          <Card id="password" title="Password">
            {notice("password")}
            <SectionError state={state.password} />
            <form method="post" class="space-y-5 sm:max-w-md">
              {/* Lets password managers file the new password under the right account. */}
              <input type="email" autocomplete="username" value={profile.email} class="hidden" readOnly />
              <Field
                name="currentPassword"
                id="current-password"
                label="Current password"
                type="password"
                autocomplete="current-password"
                required
                error={state.password?.errors?.currentPassword}
              />
              <Field
                name="newPassword"
                id="new-password"
                label="New password"
                type="password"
                autocomplete="new-password"
                required
                hint="At least 12 characters. Your other sessions are signed out when it changes."
                error={state.password?.errors?.newPassword}
              />
              <SubmitButton intent="password">Change password</SubmitButton>
            </form>
          </Card>

          <Card
            id="two-factor"
            title="Two-factor authentication"
            status={<Badge on={profile.twoFactorEnabled}>{profile.twoFactorEnabled ? "On" : "Off"}</Badge>}
          >
            {notice("2fa-off")}
            <TwoFactor data={data} />
          </Card>

          <Card id="sessions" title="Sessions">
            {notice("session")}
            {notice("sessions")}
            <SectionError state={state.sessions} />
            <p class="text-sm text-muted">
              Where your account is signed in. Sign out anything you do not recognise.
            </p>
            <ul class="divide-y divide-line rounded-lg border border-line bg-surface">
              {data.sessions.map((s) => (
                <li key={s.id} class="flex flex-wrap items-center justify-between gap-4 p-4">
                  <div class="min-w-0">
                    <p class="flex flex-wrap items-center gap-2 font-medium">
                      {describeAgent(s.userAgent)}
                      {s.current && <Badge on>This device</Badge>}
                    </p>
                    <p class="mt-1 text-sm text-muted">
                      {s.ip ?? "Unknown address"} · signed in{" "}
                      <time datetime={s.createdAt}>{dates.format(new Date(s.createdAt))}</time> · last active
                      {" "}
                      <time datetime={s.lastSeenAt}>{dates.format(new Date(s.lastSeenAt))}</time>
                    </p>
                  </div>
                  {!s.current && (
                    <form method="post">
                      <input type="hidden" name="sessionId" value={s.id} />
                      <SubmitButton intent="session-revoke" variant="secondary">Sign out</SubmitButton>
                    </form>
                  )}
                </li>
              ))}
            </ul>
            {data.sessions.some((s) => !s.current) && (
              <form method="post">
                <SubmitButton intent="sessions-revoke-others" variant="danger">
                  Sign out all other sessions
                </SubmitButton>
              </form>
            )}
          </Card>
        </div>
      </div>
    </div>
  );
});

function TwoFactor({ data }: { data: Data }) {
  const state = data.state.twoFactor;
  if (data.recoveryCodes) {
    return (
      <>
        <Notice>Two-factor authentication is on.</Notice>
        <div>
          <h3 class="font-semibold">Your recovery codes</h3>
          <p class="mt-1 text-sm text-muted">
            Each one signs you in once if you lose your phone. Save them somewhere safe now: they are shown
            only this once.
          </p>
          <ol class="mt-4 grid grid-cols-2 gap-2 rounded-lg border border-line bg-surface p-4 font-mono text-sm sm:grid-cols-3">
            {data.recoveryCodes.map((code) => <li key={code}>{code}</li>)}
          </ol>
        </div>
        <p>
          <a class="btn-primary" href="/account/security#two-factor">I have saved them</a>
        </p>
      </>
    );
  }
  if (data.enrollment) {
    const key = data.enrollment.secret.match(/.{1,4}/g)!.join(" ");
    return (
      <>
        <SectionError state={state} />
        <ol class="space-y-6">
          <li>
            <p class="font-medium">1. Scan this QR code with your authenticator app</p>
            <img
              src={data.enrollment.qrDataUrl}
              width="192"
              height="192"
              alt="QR code to add PropTrade Pro to your authenticator app"
              class="mt-3 rounded-lg border border-line bg-white p-2"
            />
          </li>
          <li>
            <p class="font-medium">2. Or enter this key by hand</p>
            <p class="mt-2">
              <code id="totp-key" class="rounded bg-surface px-2 py-1 font-mono text-sm break-all">
                {key}
              </code>
            </p>
            <p class="mt-1 text-sm text-muted">Time-based, 6 digits, every 30 seconds.</p>
          </li>
          <li>
            <form method="post" class="space-y-4">
              <input type="hidden" name="secret" value={data.enrollment.secret} />
              <Field
                name="code"
                id="enable-code"
                label="3. Enter the 6-digit code the app shows"
                autocomplete="one-time-code"
                inputMode="numeric"
                maxLength={32}
                required
                class="max-w-xs"
                error={state?.errors?.code}
              />
              <div class="flex flex-wrap items-center gap-4">
                <SubmitButton intent="2fa-confirm">Turn on two-factor authentication</SubmitButton>
                <a class="link text-sm" href="/account/security#two-factor">Cancel</a>
              </div>
            </form>
          </li>
        </ol>
      </>
    );
  }
  if (data.profile.twoFactorEnabled) {
    return (
      <>
        <SectionError state={state} />
        <p>Signing in needs a code from your authenticator app, or one of your recovery codes.</p>
        <form method="post" class="space-y-4 sm:max-w-md">
          <Field
            name="code"
            id="disable-code"
            label="Code from your app, or a recovery code"
            autocomplete="one-time-code"
            maxLength={32}
            required
            error={state?.errors?.code}
          />
          <SubmitButton intent="2fa-disable" variant="danger">
            Turn off two-factor authentication
          </SubmitButton>
        </form>
      </>
    );
  }
  return (
    <>
      <SectionError state={state} />
      <p>
        Protect your account with a second step at sign-in: a code from an authenticator app on your phone.
      </p>
      <form method="post">
        <SubmitButton intent="2fa-begin">Set up two-factor authentication</SubmitButton>
      </form>
    </>
  );
}

function Card(props: { id: string; title: string; status?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section id={props.id} aria-labelledby={`${props.id}-heading`} class="card scroll-mt-6 space-y-5">
      <h2
        id={`${props.id}-heading`}
        class="flex flex-wrap items-center gap-3 text-xl font-bold tracking-tight"
      >
        {props.title}
        {props.status}
      </h2>
      {props.children}
    </section>
  );
}

function SectionError({ state }: { state?: SectionState }) {
  return state?.message ? <FormError>{state.message}</FormError> : null;
}

function Badge(props: { on: boolean; children: ComponentChildren }) {
  const tone = props.on ? "bg-brand-strong text-on-brand" : "border border-line text-muted";
  return <span class={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${tone}`}>{props.children}</span>;
}

/** "Chrome on macOS" from a user agent, enough to recognise one's own devices. */
function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
    ? "Opera"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Chrome\//.test(ua)
    ? "Chrome"
    : /Safari\//.test(ua)
    ? "Safari"
    : null;
  const os = /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
    ? "Android"
    : /Mac OS X/.test(ua)
    ? "macOS"
    : /Windows/.test(ua)
    ? "Windows"
    : /Linux/.test(ua)
    ? "Linux"
    : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? ua.slice(0, 60);
}
