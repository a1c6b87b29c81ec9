import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { markRead } from "../../../../services/notifications/queries.ts";

const readInput = z.union([
  z.object({ ids: z.array(z.uuid("must be notification ids")).min(1).max(500) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

export const api = defineApi({
  POST: {
    summary: "Mark notifications read",
    description: "`{ids: [...]}` marks those of the caller's notifications read (ids of anyone else's are " +
      "ignored); `{all: true}` marks every one. Answers how many changed and the unread count after.",
    tags: ["users"],
    access: "authenticated",
    body: readInput,
    responses: {
      200: { description: "Marked", schema: z.object({ marked: z.int(), unread: z.int() }) },
      401: { description: "Not signed in" },
      422: { description: "Neither ids nor all" },
    },
  },
});

export const handler = define.api(api, {
  async POST(ctx, { body, user }) {
    const which = "all" in body ? "all" as const : { ids: body.ids };
    return Response.json(await markRead(ctx.state.deps.db.sql, user.id, which));
  },
});
