import { lifetimeText } from "../services/auth/email_tokens.ts";
import { define, setMeta, type State } from "./_define.ts";
import { page } from "../lib/define.ts";
import { Conflict } from "../lib/errors.ts";
import { resendVerification, verifyEmail } from "../services/auth/accounts.ts";
import {
  AuthPanel,
  FormError,
  formErrorHeaders,
  isFormError,
  Notice,
  retryAfterText,
  SubmitButton,
} from "../components/form.tsx";
import { readForm } from "../lib/validation.ts";
import { safeNext } from "./signin.tsx";

type View = "confirm" | "verified" | "sent" | "invalid" | "missing";

interface Data {
  view: View;
  token: string;
  signedIn: boolean;
  /** Signed in with an address still unverified: offer a new link. */
  canResend: boolean;
  message?: string;
  /** Where the visitor was going when they signed up (a checkout): carried through to after confirming. */
  next?: string;
}

function data(state: State, view: View, token = "", message?: string, next?: string): Data {
  const user = state.user;
  return { view, token, signedIn: user !== null, canResend: !!user && !user.emailVerified, message, next };
}

/** `next` from the link or the form, when it is a path on this site (see `safeNext`). */
function nextOf(value: string | null | undefined): string | undefined {
  return safeNext(value) ?? undefined;
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

/**
 * The emailed link opens a page with a button; only its POST verifies. Mail scanners and link previews
 * fetch links with GET, and must not use up the token (or confirm an address nobody read).
 */
export const handler = define.handlers<Data>({
  GET(ctx) {
    setMeta(ctx.state, "Confirm your email", "Confirm the email address of your PropTrade Pro account.");
    const params = ctx.url.searchParams;
    const token = params.get("token") ?? "";
    const view: View = params.has("verified")
      ? "verified"
      : params.has("sent")
      ? "sent"
      : token
      ? "confirm"
      : "missing";
    const next = nextOf(params.get("next"));
    return page(data(ctx.state, view, token, undefined, next), { headers: { "cache-control": "no-store" } });
  },

  async POST(ctx) {
    setMeta(ctx.state, "Confirm your email", "Confirm the email address of your PropTrade Pro account.");
    const { deps, user, actor } = ctx.state;
    const form = await readForm(ctx.req);

    if (form.intent === "resend") {
      if (!user) return redirect("/signin?next=%2Fverify-email");
      try {
        await resendVerification(deps, user);
      } catch (error) {
        if (error instanceof Conflict) return redirect("/verify-email?verified=1");
        if (!isFormError(error)) throw error;
        const message = error.status === 429
          ? `We have sent several links already. Try again ${retryAfterText(error)}.`
          : error.message;
        return page(data(ctx.state, "missing", "", message), {
          status: error.status,
          headers: formErrorHeaders(error),
        });
      }
      return redirect("/verify-email?sent=1");
    }

    const token = (form.token ?? "").slice(0, 200);
    const next = nextOf(form.next);
    if (!token) return page(data(ctx.state, "missing"), { status: 422 });
    try {
      await verifyEmail(deps, token, actor);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return page(data(ctx.state, "invalid", token), {
        status: error.status,
        headers: formErrorHeaders(error),
      });
    }
    // Sign-up no longer signs in (it must not tell a new address from a taken one), so confirming leads to
    // sign-in and then on to where the visitor was going. The link itself never signs in: a mailed link
    // that opens a session would be a password-free way in for whoever reads the mailbox or its logs.
    if (!user) return redirect(`/signin?verified=1${next ? `&next=${encodeURIComponent(next)}` : ""}`);
    return redirect(next ?? "/verify-email?verified=1");
  },
});

export default define.page<typeof handler>(({ data }) => {
  switch (data.view) {
    case "confirm":
      return (
        <AuthPanel title="Confirm your email" intro="One click and your email address is confirmed.">
          <form method="post">
            <input type="hidden" name="token" value={data.token} />
            {data.next && <input type="hidden" name="next" value={data.next} />}
            <SubmitButton intent="verify" class="w-full">Confirm my email address</SubmitButton>
          </form>
        </AuthPanel>
      );
    case "verified":
      return (
        <AuthPanel title="Email confirmed">
          <Notice>Thank you — your email address is confirmed.</Notice>
          <p>
            <a class="btn-primary" href={data.signedIn ? "/account/security" : "/signin"}>
              {data.signedIn ? "Go to your account" : "Sign in"}
            </a>
          </p>
        </AuthPanel>
      );
    case "sent":
      return (
        <AuthPanel title="Check your email">
          <Notice>
            We have sent a new confirmation link. It works for{" "}
            {lifetimeText("verify_email")}; only the newest link works.
          </Notice>
        </AuthPanel>
      );
    default:
      return (
        <AuthPanel title="Confirm your email">
          {data.message && <FormError>{data.message}</FormError>}
          {data.view === "invalid" && (
            <FormError>
              This link is invalid, has expired or was already used. If you requested several emails, only the
              newest link works.
            </FormError>
          )}
          {data.view === "missing" && !data.message && (
            <p class="text-muted">Open the link from the email we sent when you signed up.</p>
          )}
          <ResendOffer {...data} />
        </AuthPanel>
      );
  }
});

function ResendOffer(data: Data) {
  if (data.canResend) {
    return (
      <form method="post" class="space-y-3">
        <p>We can send a new link to your email address.</p>
        <SubmitButton intent="resend">Send a new link</SubmitButton>
      </form>
    );
  }
  if (!data.signedIn) {
    return (
      <p class="text-muted">
        <a class="link" href="/signin?next=%2Fverify-email">Sign in</a> to get a new link.
      </p>
    );
  }
  return (
    <p>
      Your email address is already confirmed. <a class="link" href="/account/security">Go to your account</a>
    </p>
  );
}
