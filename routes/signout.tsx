import { define, setMeta } from "./_define.ts";
import { page } from "../lib/define.ts";
import { signOut } from "../services/auth/sessions.ts";
import { clearSessionCookies, secureCookies } from "./(_http)/auth_cookies.ts";
import { AuthPanel, SubmitButton } from "../components/form.tsx";

/**
 * Signing out changes state, so it is a POST (the header's button); a GET — a typed or prefetched URL —
 * only shows that button, so no link or image elsewhere can sign anyone out.
 */
export const handler = define.handlers<{ signedIn: boolean }>({
  GET(ctx) {
    setMeta(ctx.state, "Sign out", "Sign out of PropTrade Pro.");
    return page({ signedIn: ctx.state.user !== null }, { headers: { "cache-control": "no-store" } });
  },

  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    if (user) await signOut(deps, { user }, actor);
    ctx.state.cookies.push(...clearSessionCookies(secureCookies(deps.config.env, deps.config.appUrl)));
    return new Response(null, { status: 303, headers: { location: "/", "cache-control": "no-store" } });
  },
});

export default define.page<typeof handler>(({ data }) => (
  <AuthPanel
    title={data.signedIn ? "Sign out" : "You are signed out"}
    intro={data.signedIn
      ? "This ends your session on this device. Your other sessions stay signed in."
      : undefined}
  >
    {data.signedIn
      ? (
        <form method="post">
          <SubmitButton>Sign out</SubmitButton>
        </form>
      )
      : (
        <p>
          <a class="btn-primary" href="/signin">Sign in again</a>
        </p>
      )}
  </AuthPanel>
));
