import { z } from "zod";
import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import { readForm, validate } from "../lib/validation.ts";
import { confirmEmailChange } from "../services/auth/profile.ts";
import { AuthPanel, FormError, isFormError, Notice, SubmitButton } from "../components/form.tsx";

type View = "confirm" | "done" | "invalid";

const form = z.object({ token: z.string().min(1).max(200) });

/**
 * The link mailed to a new address after an email change. Like /verify-email, GET only shows a button: link
 * scanners fetch with GET and must not complete the change on someone's behalf.
 */
export const handler = define.handlers<{ view: View; token: string; message?: string }>({
  GET(ctx) {
    setMeta(
      ctx.state,
      "Confirm your new email",
      "Confirm the new email address of your PropTrade Pro account.",
    );
    const token = ctx.url.searchParams.get("token") ?? "";
    const view: View = ctx.url.searchParams.has("done") ? "done" : token ? "confirm" : "invalid";
    return page({ view, token }, { headers: { "cache-control": "no-store" } });
  },
  async POST(ctx) {
    setMeta(
      ctx.state,
      "Confirm your new email",
      "Confirm the new email address of your PropTrade Pro account.",
    );
    try {
      const { token } = validate(form, await readForm(ctx.req));
      await confirmEmailChange(ctx.state.deps, token, ctx.state.actor);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.status === 409 ? "Another account already uses this address." : undefined;
      return page({ view: "invalid" as View, token: "", message }, { status: error.status });
    }
    return new Response(null, { status: 303, headers: { location: "/confirm-email?done=1" } });
  },
});

export default define.page<typeof handler>(({ data, state }) => {
  if (data.view === "confirm") {
    return (
      <AuthPanel
        title="Confirm your new email"
        intro="Use this address for your PropTrade Pro account from now on."
      >
        <form method="post" class="space-y-4">
          <input type="hidden" name="token" value={data.token} />
          <SubmitButton class="w-full">Confirm the new address</SubmitButton>
        </form>
      </AuthPanel>
    );
  }
  if (data.view === "done") {
    return (
      <AuthPanel title="Email changed">
        <Notice>Your account now uses the new address.</Notice>
        <p>
          <a class="btn-primary" href={state.user ? "/account/security" : "/signin"}>
            {state.user ? "Go to your account" : "Sign in"}
          </a>
        </p>
      </AuthPanel>
    );
  }
  return (
    <AuthPanel title="Confirm your new email">
      <FormError>
        {data.message ?? "This link is invalid, has expired or was already used. Request the change again."}
      </FormError>
    </AuthPanel>
  );
});
