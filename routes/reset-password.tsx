import { lifetimeText } from "../services/auth/email_tokens.ts";
import { z } from "zod";
import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import type { FieldErrors } from "../lib/errors.ts";
import { readForm, validate } from "../lib/validation.ts";
import { passwordSchema, resetPassword } from "../services/auth/accounts.ts";
import {
  AuthPanel,
  Field,
  FormError,
  formErrorHeaders,
  isFormError,
  SubmitButton,
} from "../components/form.tsx";

const resetInput = z.object({ token: z.string().min(1).max(200), password: passwordSchema });

interface Data {
  token: string;
  errors: FieldErrors;
}

// The token grants a password: never cache a page that carries it.
const NO_STORE = { "cache-control": "no-store" };

export const handler = define.handlers<Data>({
  GET(ctx) {
    setMeta(ctx.state, "Choose a new password", "Set a new password for your PropTrade Pro account.");
    return page({ token: ctx.url.searchParams.get("token") ?? "", errors: {} }, { headers: NO_STORE });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Choose a new password", "Set a new password for your PropTrade Pro account.");
    const form = await readForm(ctx.req);
    const token = form.token ?? "";
    try {
      const input = validate(resetInput, { token, password: form.password ?? "" });
      await resetPassword(ctx.state.deps, input.token, input.password, ctx.state.actor);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return page<Data>({ token, errors: error.fields ?? { _: error.message } }, {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
    return new Response(null, { status: 303, headers: { location: "/signin?reset=1" } });
  },
});

export default define.page<typeof handler>(({ data }) => {
  const linkBroken = !data.token || data.errors.token;
  return (
    <AuthPanel
      title="Choose a new password"
      intro={linkBroken ? undefined : "Every session of your account is signed out once it is changed."}
    >
      {linkBroken
        ? (
          <>
            <FormError>
              {data.token
                ? `This link is invalid, has expired or was already used. Reset links work once, for ${
                  lifetimeText("reset_password")
                }.`
                : "This page needs the link from your password reset email."}
            </FormError>
            <p>
              <a class="btn-primary" href="/forgot-password">Get a new link</a>
            </p>
          </>
        )
        : (
          <>
            {data.errors._ && <FormError>{data.errors._}</FormError>}
            <form method="post" class="space-y-5">
              <input type="hidden" name="token" value={data.token} />
              <Field
                name="password"
                label="New password"
                type="password"
                autocomplete="new-password"
                required
                autofocus
                error={data.errors.password}
                hint="At least 12 characters. A passphrase of a few unrelated words works well."
              />
              <SubmitButton class="w-full">Set new password</SubmitButton>
            </form>
          </>
        )}
    </AuthPanel>
  );
});
