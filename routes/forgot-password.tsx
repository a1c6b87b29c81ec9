import { lifetimeText } from "../services/auth/email_tokens.ts";
import { z } from "zod";
import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import type { FieldErrors } from "../lib/errors.ts";
import { readForm, validate } from "../lib/validation.ts";
import { emailSchema, requestPasswordReset } from "../services/auth/accounts.ts";
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

const forgotInput = z.object({ email: emailSchema });

interface Data {
  sent: boolean;
  email: string;
  errors: FieldErrors;
  message?: string;
}

export const handler = define.handlers<Data>({
  GET(ctx) {
    setMeta(ctx.state, "Reset your password", "Get a link to choose a new password.");
    return page({ sent: ctx.url.searchParams.has("sent"), email: "", errors: {} });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Reset your password", "Get a link to choose a new password.");
    const form = await readForm(ctx.req);
    try {
      const { email } = validate(forgotInput, { email: form.email ?? "" });
      await requestPasswordReset(ctx.state.deps, email, ctx.state.actor);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.status === 429
        ? `Too many reset requests. Try again ${retryAfterText(error)}.`
        : undefined;
      return page<Data>({ sent: false, email: form.email ?? "", errors: error.fields ?? {}, message }, {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
    // The same answer whether or not the account exists: the form must not reveal who has one.
    return new Response(null, { status: 303, headers: { location: "/forgot-password?sent=1" } });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <AuthPanel
    title="Reset your password"
    intro="Enter the email you signed up with and we will send you a link to choose a new password."
  >
    {data.sent && (
      <Notice>
        If an account exists for that address, we have sent it a link. It works for{" "}
        {lifetimeText("reset_password")}; check your spam folder if it does not arrive within a few minutes.
      </Notice>
    )}
    {data.message && <FormError>{data.message}</FormError>}
    <form method="post" class="space-y-5">
      <Field
        name="email"
        label="Email"
        type="email"
        autocomplete="email"
        required
        value={data.email}
        error={data.errors.email}
      />
      <SubmitButton class="w-full">{data.sent ? "Send another link" : "Send reset link"}</SubmitButton>
    </form>
    <p class="text-sm">
      Remembered it? <a class="link" href="/signin">Sign in</a>
    </p>
  </AuthPanel>
));
