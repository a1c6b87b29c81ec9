import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { login, loginInput } from "../../../services/auth/accounts.ts";
import { tokenPairSchema } from "./_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Sign in (API clients)",
    description:
      "Answers 401 `two_factor_required` when the account has 2FA and no `code` was sent. A success " +
      "returns a `deviceToken`: keep it and send it back as `deviceToken` with later logins, and this client " +
      "signs in on its own attempt budget even while others' wrong passwords have spent the account's budget " +
      "for unknown clients (a new one comes with each success; each is valid 180 days).",
    tags: ["auth"],
    access: "public",
    body: loginInput,
    responses: {
      200: {
        description: "Signed in",
        schema: tokenPairSchema.extend({
          deviceToken: z.string().describe("Proof of this sign-in for later logins from this client"),
        }),
      },
      401: { description: "Wrong email or password, or a second factor is needed" },
      429: { description: "Too many attempts for this account or address" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: input }) {
    const { accessToken, refreshToken, expiresIn, deviceToken } = await login(
      ctx.state.deps,
      input,
      ctx.state.actor,
    );
    return Response.json({ accessToken, refreshToken, expiresIn, deviceToken }, {
      headers: { "cache-control": "no-store" },
    });
  },
});
