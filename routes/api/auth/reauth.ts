import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readJson } from "../../../lib/validation.ts";
import { reauthenticate } from "../../../services/auth/accounts.ts";

const reauthInput = z.object({
  password: z.string().min(1).max(1024).optional(),
  code: z.string().trim().min(6).max(32).optional(),
}).refine((v) => v.password || v.code, { message: "send the password or a 2FA code", path: ["password"] });

export const api = defineApi({
  POST: {
    summary: "Confirm it is you (step-up) before a sensitive action",
    description: "Payout requests and role changes need this within the last 5 minutes.",
    tags: ["auth"],
    access: "authenticated",
    body: reauthInput,
    responses: { 204: { description: "Confirmed" }, 422: { description: "Wrong password or code" } },
  },
});

export const handler = define.handlers({
  async POST(ctx) {
    const input = await readJson(ctx.req, reauthInput);
    await reauthenticate(ctx.state.deps, ctx.state.user!, input, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
