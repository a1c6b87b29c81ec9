import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { listSessions, signOutOtherSessions } from "../../../../services/auth/sessions.ts";

const sessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});

export const api = defineApi({
  GET: {
    summary: "The caller's active sessions",
    tags: ["users"],
    access: "authenticated",
    responses: { 200: { description: "Sessions", schema: z.object({ sessions: z.array(sessionSchema) }) } },
  },
  DELETE: {
    summary: "Sign out every other session",
    tags: ["users"],
    access: "authenticated",
    responses: { 204: { description: "Other sessions revoked" } },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    return Response.json({ sessions: await listSessions(ctx.state.deps.db.sql, user) });
  },
  async DELETE(ctx, { user }) {
    const { deps, actor } = ctx.state;
    await signOutOtherSessions(deps, user, actor);
    return new Response(null, { status: 204 });
  },
});
