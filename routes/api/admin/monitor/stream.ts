import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { RETRY_MS, STREAM_HEADERS } from "../../../../services/accounts/stream.ts";
import { openMonitorStream } from "../../../../services/monitor/stream.ts";

export const api = defineApi({
  GET: {
    summary:
      "The live risk monitor: every active and paused account and the breach feed (Server-Sent Events)",
    description:
      "One `text/event-stream` for the whole monitor, for staff who may read every account. First " +
      "`event: snapshot` (data `{rows, breaches}`: each row packed as `[id, version, status, equity, " +
      "todayPnl, floor, nearest, distance, lastEventAt, userId, email, plan, planId, stage, stageKey, " +
      "currency, initialBalance]`, `distance` = (equity − nearest floor) as % of the initial balance), then " +
      "`event: rows` at most every 150 ms with what changed, coalesced (data `{rows, added, breaches}`: " +
      "`rows` are the first nine fields of changed rows, `added` whole packed rows, `breaches` new breaches " +
      "and pauses). Ids are `<run>.<seq>`; reconnecting with `Last-Event-ID` (or `?lastEventId=`) to the same " +
      `process gets the rows changed since, otherwise a new snapshot. \`retry: ${RETRY_MS}\`, \`: hb\` every ` +
      "15 s. It ends within a second of its session ending and counts against the stream caps (429).",
    tags: ["admin"],
    access: rolesWith("accounts.read_any"),
    query: z.object({ lastEventId: z.string().max(100).optional() }),
    responses: {
      200: { description: "The event stream (text/event-stream), open until the client leaves" },
      429: { description: "The user or the address already holds as many open streams as allowed" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { query, user }) {
    const { deps } = ctx.state;
    if (ctx.req.method === "HEAD") return new Response(null, { headers: STREAM_HEADERS });
    const body = await openMonitorStream(deps, {
      owner: { sessionId: user.sessionId, userId: user.id, role: user.role, ip: ctx.state.actor.ip },
      lastEventId: ctx.req.headers.get("last-event-id") ?? query.lastEventId ?? null,
    });
    return new Response(body, { headers: STREAM_HEADERS });
  },
});
