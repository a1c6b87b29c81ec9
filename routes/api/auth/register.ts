import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { register, registerInput } from "../../../services/auth/accounts.ts";

const REGISTERED = "Check your inbox: we have sent a message to the address.";

export const api = defineApi({
  POST: {
    summary: "Create a trader account",
    description:
      "Sends a verification link to the email. Passwords: at least 12 characters, not a common one. " +
      "The answer is the same whether or not the email already has an account (its owner is told by mail), " +
      "so it cannot be used to find out who has one: sign in to get the new account's tokens.",
    tags: ["auth"],
    access: "public",
    body: registerInput,
    responses: {
      202: {
        description: "Accepted: a mail is on its way to the address",
        schema: z.object({ message: z.string() }),
      },
      422: { description: "Invalid fields" },
      429: { description: "Too many sign-ups from this address" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body }) {
    await register(ctx.state.deps, body, ctx.state.actor);
    return Response.json({ message: REGISTERED }, { status: 202 });
  },
});
