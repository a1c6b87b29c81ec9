import type { Context } from "../../lib/define.ts";
import type { State } from "../_define.ts";
import { unreadCount } from "../../services/notifications/queries.ts";

/**
 * The signed-in user's unread notification count, for the header's bell. Read only for page requests
 * (GET, HTML accepted, not under /api/): APIs and assets must not pay for a count nobody renders.
 */
export async function notificationCount(ctx: Context<State>): Promise<Response> {
  const { user, deps } = ctx.state;
  if (
    user && ctx.req.method === "GET" && !ctx.url.pathname.startsWith("/api/") &&
    (ctx.req.headers.get("accept") ?? "text/html").includes("text/html")
  ) {
    ctx.state.unread = await unreadCount(deps.db.sql, user.id);
  }
  return await ctx.next();
}
