import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { rotateRefreshToken } from "../../../services/auth/sessions.ts";
import { accessTokenFor } from "../../../services/auth/accounts.ts";
import { ACCESS_TOKEN_SECONDS } from "../../../services/auth/tokens.ts";
import { refreshInput, tokenPairSchema } from "./_schemas.ts";

export const api = defineApi({
  POST: {
    summary: "Exchange a refresh token for a new token pair",
    description: "Refresh tokens are single-use. Presenting a used one revokes the whole session.",
    tags: ["auth"],
    access: "public",
    body: refreshInput,
    responses: {
      200: { description: "A new pair", schema: tokenPairSchema },
      401: { description: "Invalid, expired or reused refresh token" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body: { refreshToken } }) {
    const rotated = await rotateRefreshToken(ctx.state.deps.db, refreshToken, ctx.state.actor);
    const accessToken = await accessTokenFor(ctx.state.deps, rotated.userId, rotated.role, rotated.sessionId);
    return Response.json(
      { accessToken, refreshToken: rotated.refreshToken, expiresIn: ACCESS_TOKEN_SECONDS },
      { headers: { "cache-control": "no-store" } },
    );
  },
});
