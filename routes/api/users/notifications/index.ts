import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { listNotifications, MAX_PAGE, unreadCount } from "../../../../services/notifications/queries.ts";
import { NOTIFICATION_TYPES } from "../../../../services/notifications/types.ts";

const notificationSchema = z.object({
  id: z.string(),
  type: z.enum(NOTIFICATION_TYPES),
  accountId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const api = defineApi({
  GET: {
    summary: "The caller's notifications",
    description:
      "Newest first, in keyset pages: pass the answer's `nextCursor` as `cursor` for the next page " +
      "(null: the last page). Types: breach, pause (daily-loss soft pause), phase_passed, kyc_pending " +
      "(funded account waiting for identity verification), daily_loss_warning and max_loss_warning (50 % " +
      "and 80 % of a limit used). `unread` is the caller's unread count.",
    tags: ["users"],
    access: "authenticated",
    query: z.object({
      cursor: z.string().regex(/^\d{1,15}$/, "must be a nextCursor").optional(),
      limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
      unread: z.enum(["true", "false"]).optional(),
    }),
    responses: {
      200: {
        description: "A page of notifications",
        schema: z.object({
          notifications: z.array(notificationSchema),
          nextCursor: z.string().nullable(),
          unread: z.int(),
        }),
      },
      401: { description: "Not signed in" },
      422: { description: "A malformed cursor or limit" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const sql = ctx.state.deps.db.sql;
    const page = await listNotifications(sql, user.id, {
      cursor: query.cursor,
      limit: query.limit,
      unreadOnly: query.unread === "true",
    });
    return Response.json({ ...page, unread: await unreadCount(sql, user.id) });
  },
});
