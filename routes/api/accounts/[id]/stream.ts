import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { findReadableAccount } from "../../../../services/accounts/access.ts";
import {
  openAccountStream,
  parseEventId,
  RETRY_MS,
  STREAM_HEADERS,
} from "../../../../services/accounts/stream.ts";

export const api = defineApi({
  GET: {
    summary: "Live changes of an account (Server-Sent Events)",
    description: "A `text/event-stream` for the account's owner and staff. First `event: snapshot` " +
      "(`id` = the account's state version; data = `{account, planVersionId, objectives, breach}`), then " +
      "`event: change` for every committed change (`id` = its state version; data = `{accountId, " +
      "stateVersion, kind, at, account, verdicts}`), and `: hb` comments every 15 s. Reconnecting with " +
      "`Last-Event-ID` (or `?lastEventId=`) replays the changes after that id instead of the snapshot, " +
      `without gaps or duplicates; an id the log cannot serve gets a new snapshot. \`retry: ${RETRY_MS}\`. ` +
      "The stream ends within a second of its session ending (sign-out, revocation, password or role " +
      "change, suspension, expiry). A user may hold 10 open streams and an address 50 (per server " +
      "process); the next one gets 429 `too_many_streams` until one closes.",
    tags: ["accounts"],
    access: "authenticated",
    params: z.object({ id: z.uuid("No such account.") }),
    query: z.object({ lastEventId: z.string().optional() }),
    responses: {
      200: { description: "The event stream (text/event-stream), open until the client leaves" },
      401: { description: "Not signed in" },
      404: { description: "No such account of yours" },
      429: { description: "The user or the address already holds as many open streams as allowed" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, query, user }) {
    const { deps } = ctx.state;
    // Someone else's account answers exactly like a missing one (audited): ids must not be probeable.
    const account = await findReadableAccount(deps.db.sql, { ...user, actor: ctx.state.actor }, params.id);
    if (ctx.req.method === "HEAD") return new Response(null, { headers: STREAM_HEADERS });
    // EventSource sends Last-Event-ID itself on reconnects; the query form is for clients that cannot.
    const lastEventId = parseEventId(
      ctx.req.headers.get("last-event-id") ?? query.lastEventId ?? null,
    );
    const body = await openAccountStream(deps, {
      accountId: account.id,
      owner: { sessionId: user.sessionId, userId: user.id, role: user.role, ip: ctx.state.actor.ip },
      currentVersion: account.stateVersion,
      lastEventId,
    });
    return new Response(body, { headers: STREAM_HEADERS });
  },
});
