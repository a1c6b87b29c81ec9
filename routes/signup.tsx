import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import type { FieldErrors } from "../lib/errors.ts";
import { validate } from "../lib/validation.ts";
import { login, register, registerInput } from "../services/auth/accounts.ts";
import { secureCookies, sessionCookies } from "./(_http)/auth_cookies.ts";
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
import { readForm } from "../lib/validation.ts";

interface Data {
  values: { email: string; firstName: string; lastName: string };
  errors: FieldErrors;
  message?: string;
}

const EMPTY: Data = { values: { email: "", firstName: "", lastName: "" }, errors: {} };

function meta(state: Parameters<typeof setMeta>[0]) {
  setMeta(
    state,
    "Create your account",
    "Create a PropTrade Pro account to buy and track trading challenges.",
  );
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    if (ctx.state.user) return redirect("/account/security");
    meta(ctx.state);
    return page(EMPTY);
  },

  async POST(ctx) {
    meta(ctx.state);
    const form = await readForm(ctx.req);
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
      return page<Data>({ values, errors: error.fields ?? {}, message }, {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
    try {
      const tokens = await login(deps, credentials, actor);
      cookies.push(...sessionCookies(secureCookies(deps.config.env, deps.config.appUrl), tokens));
    } catch (error) {
      // The account exists; if signing in is refused now (rate limit), the sign-in page explains why.
      if (!isFormError(error)) throw error;
      return redirect("/signin?next=%2Faccount%2Fsecurity%3Fwelcome%3D1");
    }
    return redirect("/account/security?welcome=1");
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
          Already have one? <a class="link" href="/signin">Sign in</a>.
        </>
      }
    >
      {summary && <FormError>{summary}</FormError>}
      <form method="post" class="space-y-5">
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
