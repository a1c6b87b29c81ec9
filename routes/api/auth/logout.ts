import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { signOut } from "../../../services/auth/sessions.ts";
import { clearSessionCookies, secureCookies } from "../../(_http)/auth_cookies.ts";

const logoutInput = z.object({ refreshToken: z.string().min(1).max(200).optional() });

export const api = defineApi({
  POST: {
    summary: "Sign out: revoke the session",
    description: "Ends the session of the bearer token, of the session cookies, or of `refreshToken`. " +
      "Its access tokens stop working and its open streams end at once.",
    tags: ["auth"],
    access: "public",
    body: logoutInput,
    optionalBody: true,
    responses: { 204: { description: "Signed out" } },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, user }) {
    const { deps, actor } = ctx.state;
    await signOut(deps, { user, refreshToken: body.refreshToken }, actor);
    const res = new Response(null, { status: 204 });
    if (ctx.state.authVia === "cookie") {
      ctx.state.cookies.push(...clearSessionCookies(secureCookies(deps.config.env, deps.config.appUrl)));
    }
    return res;
  },
});
