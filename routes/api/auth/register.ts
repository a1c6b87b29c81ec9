import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readJson } from "../../../lib/validation.ts";
import { register, registerInput } from "../../../services/auth/accounts.ts";

export const api = defineApi({
  POST: {
    summary: "Create a trader account",
    description:
      "Sends a verification link to the email. Passwords: at least 12 characters, not a common one.",
    tags: ["auth"],
    access: "public",
    body: registerInput,
    responses: {
      201: {
        description: "Created",
        schema: z.object({ user: z.object({ id: z.string(), email: z.string() }) }),
      },
      409: { description: "The email is already registered" },
      422: { description: "Invalid fields" },
      429: { description: "Too many sign-ups from this address" },
    },
  },
});

export const handler = define.handlers({
  async POST(ctx) {
    const input = await readJson(ctx.req, registerInput);
    const user = await register(ctx.state.deps, input, ctx.state.actor);
    return Response.json({ user }, { status: 201 });
  },
});
