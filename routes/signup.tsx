import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import type { FieldErrors } from "../lib/errors.ts";
import { readForm, validate } from "../lib/validation.ts";
import { register, registerInput } from "../services/auth/accounts.ts";
import { lifetimeText } from "../services/auth/email_tokens.ts";
import {
  AuthPanel,
  Field,
  FormError,
  formErrorHeaders,
  isFormError,
  NameFields,
  Notice,
  retryAfterText,
  SubmitButton,
} from "../components/form.tsx";
import { landingFor, safeNext } from "./signin.tsx";

interface Data {
  values: { email: string; firstName: string; lastName: string };
  errors: FieldErrors;
  message?: string;
  /** Where to go once the account exists (a checkout, say); null → the default after signing in. */
  next: string | null;
  /** Set once the form was accepted: the address the message went to. */
  sentTo?: string;
}

const EMPTY_VALUES: Data["values"] = { email: "", firstName: "", lastName: "" };

function meta(state: Parameters<typeof setMeta>[0]) {
  setMeta(
    state,
    "Create your account",
    "Create a PropTrade Pro account to buy and track trading challenges.",
  );
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    const next = safeNext(ctx.url.searchParams.get("next"));
    if (ctx.state.user) return redirect(next ?? landingFor(ctx.state.user));
    meta(ctx.state);
    return page({ values: EMPTY_VALUES, errors: {}, next });
  },

  async POST(ctx) {
    meta(ctx.state);
    const form = await readForm(ctx.req);
    const next = safeNext(form.next);
    // The password is never echoed back into the page.
    const values = {
      email: form.email ?? "",
      firstName: form.firstName ?? "",
      lastName: form.lastName ?? "",
    };
    const { deps, actor } = ctx.state;
    let email: string;
    try {
      const input = validate(registerInput, { ...values, password: form.password ?? "" });
      await register(deps, input, actor, next ?? undefined);
      email = input.email;
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
    // No session here, and the same page whether the address was new or taken (whose owner gets a mail
    // saying someone tried): signing a new account in at once would set a cookie, and for a taken address
    // the sign-in would fail, so the answer would tell who has an account. The link in the mail confirms
    // the address and leads to sign-in, then on to `next` — the same flow serious sign-ups use.
    return page<Data>({ values: EMPTY_VALUES, errors: {}, next, sentTo: email }, {
      headers: { "cache-control": "no-store" },
    });
  },
});

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

export default define.page<typeof handler>(({ data }) => {
  if (data.sentTo) return <CheckInbox email={data.sentTo} next={data.next} />;
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

/** The answer to an accepted sign-up, alike for a new and a taken address (apart from the address). */
function CheckInbox(props: { email: string; next: string | null }) {
  const query = props.next ? `?next=${encodeURIComponent(props.next)}` : "";
  return (
    <AuthPanel title="Check your inbox">
      <Notice>
        We sent a message to <strong>{props.email}</strong>. Follow the link in it to confirm your address
        {props.next ? " and carry on where you were" : ""}.
      </Notice>
      <p class="text-sm text-muted">
        The link works for{" "}
        {lifetimeText("verify_email")}. Nothing after a few minutes? Check your spam folder, or{" "}
        <a class="link" href={`/signup${query}`}>sign up again</a> if the address was mistyped.
      </p>
      <p class="text-sm">
        Already have an account? <a class="link" href={`/signin${query}`}>Sign in</a>.
      </p>
    </AuthPanel>
  );
}
