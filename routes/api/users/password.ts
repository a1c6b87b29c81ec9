import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readJson } from "../../../lib/validation.ts";
import { changePassword, passwordSchema } from "../../../services/auth/accounts.ts";

const changeInput = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });

export const api = defineApi({
  PUT: {
    summary: "Change the password",
    description: "Signs out every other session.",
    tags: ["users"],
    access: "authenticated",
    body: changeInput,
    responses: {
      204: { description: "Changed" },
      422: { description: "Wrong current password or weak new one" },
    },
  },
});

export const handler = define.handlers({
  async PUT(ctx) {
    const input = await readJson(ctx.req, changeInput);
    await changePassword(ctx.state.deps, ctx.state.user!, input, ctx.state.actor);
    return new Response(null, { status: 204 });
  },
});
