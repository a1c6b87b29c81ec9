import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import type { FieldErrors } from "../lib/errors.ts";
import { readForm, validate } from "../lib/validation.ts";
import { login, register, registerInput } from "../services/auth/accounts.ts";
import { secureCookies, signInCookies } from "./(_http)/auth_cookies.ts";
import {
  AuthPanel,
  Field,
  FormError,
  formErrorHeaders,
  isFormError,
  NameFields,
  retryAfterText,
  SubmitButton,
} from "../components/form.tsx";
import { DEFAULT_AFTER_SIGNIN, safeNext } from "./signin.tsx";

interface Data {
  values: { email: string; firstName: string; lastName: string };
  errors: FieldErrors;
  message?: string;
  /** Where to go once the account exists (a checkout, say); null → the welcome page. */
  next: string | null;
}

const EMPTY_VALUES: Data["values"] = { email: "", firstName: "", lastName: "" };
const WELCOME = "/account/security?welcome=1";

/**
 * The page to continue to after signing up, from `next` (query or form): only a path on this site (see
 * `safeNext`), and null when there is none, which lands on the welcome page.
 */
function nextOf(value: string | null | undefined): string | null {
  const next = safeNext(value);
  return next === DEFAULT_AFTER_SIGNIN ? null : next;
}

function meta(state: Parameters<typeof setMeta>[0]) {
  setMeta(
    state,
    "Create your account",
    "Create a PropTrade Pro account to buy and track trading challenges.",
  );
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const next = nextOf(ctx.url.searchParams.get("next"));
    if (ctx.state.user) return redirect(next ?? "/account/security");
    meta(ctx.state);
    return page({ values: EMPTY_VALUES, errors: {}, next });
  },

  async POST(ctx) {
    meta(ctx.state);
    const form = await readForm(ctx.req);
    const next = nextOf(form.next);
    // The password is never echoed back into the page.
    const values = {
      email: form.email ?? "",
      firstName: form.firstName ?? "",
      lastName: form.lastName ?? "",
    };
    const { deps, actor, cookies } = ctx.state;
    let credentials: { email: string; password: string };
    try {
      const input = validate(registerInput, { ...values, password: form.password ?? "" });
      await register(deps, input, actor);
      credentials = { email: input.email, password: input.password };
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.status === 429
        ? `Too many sign-ups from your network. Try again ${retryAfterText(error)}.`
        : error.fields
        ? undefined
        : error.message;
      return page<Data>({ values, errors: error.fields ?? {}, message, next }, {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
    try {
      const tokens = await login(deps, credentials, actor);
      cookies.push(...signInCookies(secureCookies(deps.config.env, deps.config.appUrl), tokens));
    } catch (error) {
      // The account exists; if signing in is refused now (rate limit), the sign-in page explains why.
      if (!isFormError(error)) throw error;
      return redirect(`/signin?next=${encodeURIComponent(next ?? WELCOME)}`);
    }
    return redirect(next ?? WELCOME);
  },
});

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

export default define.page<typeof handler>(({ data }) => {
  const { values, errors } = data;
  const summary = data.message ??
    (Object.keys(errors).length ? "Please correct the highlighted fields." : undefined);
  return (
    <AuthPanel
      title="Create your account"
      intro={
        <>
          Already have one?{" "}
          <a class="link" href={data.next ? `/signin?next=${encodeURIComponent(data.next)}` : "/signin"}>
            Sign in
          </a>.
        </>
      }
    >
      {summary && <FormError>{summary}</FormError>}
      <form method="post" class="space-y-5">
        {data.next && <input type="hidden" name="next" value={data.next} />}
        <NameFields values={values} errors={errors} />
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="email"
          required
          value={values.email}
          error={errors.email}
          hint="We send a link to confirm it."
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          error={errors.password}
          hint="At least 12 characters. A passphrase of a few unrelated words works well."
        />
        <SubmitButton class="w-full">Create account</SubmitButton>
      </form>
    </AuthPanel>
  );
});
