import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { RETRY_MS, STREAM_HEADERS } from "../../../services/accounts/stream.ts";
import { openUserStream, parseUserEventId } from "../../../services/live/user_stream.ts";

export const api = defineApi({
  GET: {
    summary: "Live changes of all the caller's accounts and their notifications (Server-Sent Events)",
    description: "A `text/event-stream` for any signed-in user. First `event: snapshot` (data `{accounts, " +
      "unread}`: every account's summary and the unread notification count), then `event: change` for every " +
      "committed change of any of the caller's accounts, including accounts opened later (data = the " +
      "`AccountChange` JSON exactly as `GET /api/accounts/{id}/stream` sends it), `event: notification` " +
      "(data `{id, type, accountId, title, body, createdAt, readAt, unread}`), and `: hb` comments every " +
      "15 s. Each event's `id` is the stream's position in every account's log and in the notifications " +
      "(`<notification seq>.<first 8 hex digits of an account id>-<version>…`); reconnecting with " +
      "`Last-Event-ID` (or `?lastEventId=`) replays exactly what was missed, without gaps or duplicates, " +
      `or sends a new snapshot when it cannot. \`retry: ${RETRY_MS}\`. The stream ends within a second of ` +
      "its session ending and counts against the same caps as the account streams (10 per user, 50 per " +
      "address and server process; then 429 `too_many_streams`).",
    tags: ["users"],
    access: "authenticated",
    query: z.object({ lastEventId: z.string().max(20_000).optional() }),
    responses: {
      200: { description: "The event stream (text/event-stream), open until the client leaves" },
      401: { description: "Not signed in" },
      429: { description: "The user or the address already holds as many open streams as allowed" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const { deps } = ctx.state;
    if (ctx.req.method === "HEAD") return new Response(null, { headers: STREAM_HEADERS });
    // EventSource sends Last-Event-ID itself on reconnects; the query form is for clients that cannot.
    const lastEventId = parseUserEventId(ctx.req.headers.get("last-event-id") ?? query.lastEventId ?? null);
    const body = await openUserStream(deps, {
      userId: user.id,
      owner: { sessionId: user.sessionId, userId: user.id, role: user.role, ip: ctx.state.actor.ip },
      lastEventId,
    });
    return new Response(body, { headers: STREAM_HEADERS });
  },
});
