import { define, setMeta, type State } from "./_define.ts";
import { page } from "../lib/define.ts";
import { HttpError, Unprocessable } from "../lib/errors.ts";
import { readForm, validate } from "../lib/validation.ts";
import { login, loginInput } from "../services/auth/accounts.ts";
import { isStaff, type Role } from "../services/auth/roles.ts";
import { deriveKey, open, seal } from "../services/auth/secret_box.ts";
import { deviceTokenFrom, secureCookies, signInCookies } from "./(_http)/auth_cookies.ts";
import {
  AuthPanel,
  Field,
  FormError,
  formErrorHeaders,
  isFormError,
  Notice,
  retryAfterText,
  SubmitButton,
} from "../components/form.tsx";

/**
 * Where a sign-in lands without a safe `next`: the place each role works in — traders their dashboard, staff
 * the back office (which first asks a staff member without 2FA to set it up).
 */
export function landingFor(user: { role: Role }): string {
  return isStaff(user) ? "/admin" : "/dashboard";
}

/**
 * `next` if it is a path on this site, else null (the caller lands on `landingFor`): it must start with one
 * "/" (not "//", which is another host, nor "/\", which browsers read as "//"), contain no control characters,
 * and resolve to the same origin. Anything else would make the sign-in form an open redirect.
 */
export function safeNext(value: string | null | undefined): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//") || /[\\\p{Cc}]/u.test(value)) return null;
  const base = "http://same.invalid";
  try {
    const url = new URL(value, base);
    return url.origin === base ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

/**
 * Between the password and the 2FA code, the form carries a "pending login": the email and password sealed
 * (AES-GCM, so neither readable nor alterable) under a key derived from the app secret, valid 5 minutes. The
 * password thus never appears in the HTML, and the second step needs no server-side state.
 */
const PENDING_LOGIN_MS = 5 * 60_000;
const PENDING_CONTEXT = "pending-login";
const pendingKeys = new Map<string, Promise<CryptoKey>>();

function pendingKey(state: State): Promise<CryptoKey> {
  const secret = state.deps.config.jwtSecret;
  let key = pendingKeys.get(secret);
  if (!key) pendingKeys.set(secret, key = deriveKey(secret, PENDING_CONTEXT));
  return key;
}

interface PendingLogin {
  email: string;
  password: string;
  expiresAt: number;
}

async function sealPendingLogin(state: State, email: string, password: string): Promise<string> {
  const pending: PendingLogin = { email, password, expiresAt: Date.now() + PENDING_LOGIN_MS };
  return await seal(await pendingKey(state), JSON.stringify(pending), PENDING_CONTEXT);
}

/** The pending login in `token`, or null when it was tampered with or has expired. */
async function openPendingLogin(state: State, token: string): Promise<PendingLogin | null> {
  try {
    const pending = JSON.parse(await open(await pendingKey(state), token, PENDING_CONTEXT)) as PendingLogin;
    return pending.expiresAt > Date.now() ? pending : null;
  } catch {
    return null;
  }
}

type Data =
  | {
    step: "password";
    email: string;
    /** A safe page to continue to, or null for the role's landing page. */
    next: string | null;
    notice?: string;
    message?: string;
    errors?: Record<string, string>;
  }
  | { step: "code"; pending: string; next: string | null; message?: string; codeError?: string };

const NO_STORE = { "cache-control": "no-store" };

export const handler = define.handlers<Data>({
  GET(ctx) {
    const next = safeNext(ctx.url.searchParams.get("next"));
    if (ctx.state.user) return redirect(next ?? landingFor(ctx.state.user));
    setMeta(ctx.state, "Sign in", "Sign in to your PropTrade Pro account.");
    const notice = ctx.url.searchParams.has("reset")
      ? "Your password has been changed and every session signed out. Sign in with your new password."
      : ctx.url.searchParams.has("ended")
      ? "You were signed out: your session ended. Sign in again to continue."
      : ctx.url.searchParams.has("verified")
      ? "Your email address is confirmed. Sign in to continue."
      : undefined;
    return page({ step: "password", email: "", next, notice });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Sign in", "Sign in to your PropTrade Pro account.");
    const form = await readForm(ctx.req);
    const next = safeNext(form.next);

    let input: { email: string; password: string; code?: string };
    let pending: string | null = null;
    if (form.pending) {
      const opened = await openPendingLogin(ctx.state, form.pending);
      if (!opened) {
        return page({
          step: "password",
          email: "",
          next,
          message: "That took longer than 5 minutes. Enter your email and password again.",
        }, { status: 401, headers: NO_STORE });
      }
      if (!form.code?.trim()) {
        return page({ step: "code", pending: form.pending, next, codeError: "is required" }, {
          status: 422,
          headers: NO_STORE,
        });
      }
      pending = form.pending;
      input = { email: opened.email, password: opened.password, code: form.code };
    } else {
      try {
        input = validate(loginInput.omit({ code: true }), { email: form.email, password: form.password });
      } catch (error) {
        if (!(error instanceof Unprocessable)) throw error;
        return page({ step: "password", email: form.email ?? "", next, errors: error.fields }, {
          status: 422,
          headers: NO_STORE,
        });
      }
    }

    try {
      const { env, appUrl } = ctx.state.deps.config;
      const secure = secureCookies(env, appUrl);
      // A browser that signed in before brings its device cookie: it keeps its own attempt budget.
      const deviceToken = deviceTokenFrom(ctx.req, secure);
      const signIn = await login(ctx.state.deps, { ...input, deviceToken }, ctx.state.actor);
      ctx.state.cookies.push(...signInCookies(secure, signIn));
      return redirect(next ?? landingFor(signIn));
    } catch (error) {
      if (!isFormError(error)) throw error;
      return renderFailure(ctx.state, error, input, pending, next);
    }
  },
});

async function renderFailure(
  state: State,
  error: HttpError,
  input: { email: string; password: string },
  pending: string | null,
  next: string | null,
) {
  const init = { status: error.status, headers: formErrorHeaders(error) };
  if (error.code === "two_factor_required") {
    // Asking for the second factor is the normal next step, not a failure.
    const token = await sealPendingLogin(state, input.email, input.password);
    return page<Data>({ step: "code", pending: token, next }, { headers: { "cache-control": "no-store" } });
  }
  const message = error.status === 429
    ? `Too many sign-in attempts. For your security, try again ${retryAfterText(error)}.`
    : error.message;
  if (pending && (error.code === "invalid_two_factor_code" || error.fields?.code)) {
    return page<Data>({ step: "code", pending, next, codeError: error.fields?.code ?? error.message }, init);
  }
  if (pending) return page<Data>({ step: "code", pending, next, message }, init);
  return page<Data>({ step: "password", email: input.email, next, message }, init);
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

export default define.page<typeof handler>(({ data }) =>
  data.step === "code" ? <CodeStep {...data} /> : <PasswordStep {...data} />
);

function PasswordStep(data: Extract<Data, { step: "password" }>) {
  const errors = data.errors ?? {};
  return (
    <AuthPanel
      title="Sign in"
      intro={
        <>
          New to PropTrade Pro?{" "}
          <a
            class="link"
            href={data.next === null ? "/signup" : `/signup?next=${encodeURIComponent(data.next)}`}
          >
            Create an account
          </a>.
        </>
      }
    >
      {data.notice && <Notice>{data.notice}</Notice>}
      {data.message && <FormError id="signin-error">{data.message}</FormError>}
      <form method="post" class="space-y-5">
        {data.next !== null && <input type="hidden" name="next" value={data.next} />}
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="username"
          required
          value={data.email}
          error={errors.email}
          describedBy={data.message ? "signin-error" : undefined}
          invalid={!!data.message}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          error={errors.password}
          describedBy={data.message ? "signin-error" : undefined}
          invalid={!!data.message}
        />
        <SubmitButton class="w-full">Sign in</SubmitButton>
      </form>
      <p class="text-sm">
        <a class="link" href="/forgot-password">Forgot your password?</a>
      </p>
    </AuthPanel>
  );
}

function CodeStep(data: Extract<Data, { step: "code" }>) {
  return (
    <AuthPanel
      title="Enter your code"
      intro="Your account is protected with two-factor authentication. Enter the 6-digit code from your authenticator app, or one of your recovery codes."
    >
      {data.message && <FormError id="code-form-error">{data.message}</FormError>}
      <form method="post" class="space-y-5">
        <input type="hidden" name="pending" value={data.pending} />
        {data.next !== null && <input type="hidden" name="next" value={data.next} />}
        <Field
          name="code"
          label="Authentication code"
          autocomplete="one-time-code"
          inputMode="numeric"
          autocapitalize="none"
          spellcheck={false}
          maxLength={32}
          required
          autofocus
          class="max-w-xs"
          error={data.codeError}
        />
        <SubmitButton class="w-full">Verify and sign in</SubmitButton>
      </form>
      <p class="text-sm text-muted">
        Lost your device? Enter a recovery code instead. <a class="link" href="/signin">Start over</a>
      </p>
    </AuthPanel>
  );
}
