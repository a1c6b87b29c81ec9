import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { getProfile, profileUpdateInput, updateProfile } from "../../../services/auth/profile.ts";

const profileSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  country: z.string().nullable(),
  timeZone: z.string(),
  role: z.string(),
  emailVerified: z.boolean(),
  twoFactorEnabled: z.boolean(),
  pendingEmail: z.string().nullable(),
  createdAt: z.string(),
});

export const api = defineApi({
  GET: {
    summary: "The caller's profile",
    tags: ["users"],
    access: "authenticated",
    responses: { 200: { description: "Profile", schema: profileSchema } },
  },
  PUT: {
    summary: "Update names, country, time zone or email",
    description: "An email change needs `currentPassword` and is applied once the link sent to the new " +
      "address is followed (`pendingEmail` until then).",
    tags: ["users"],
    access: "authenticated",
    body: profileUpdateInput,
    responses: {
      200: { description: "Updated profile", schema: profileSchema },
      409: { description: "The new email is taken" },
      422: { description: "Invalid fields" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    return Response.json(await getProfile(ctx.state.deps.db.sql, user));
  },
  async PUT(ctx, { body, user }) {
    return Response.json(await updateProfile(ctx.state.deps, user, body, ctx.state.actor));
  },
});
