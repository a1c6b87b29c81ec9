import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { ownSelfLocks, updateSelfLocks } from "../../../../services/self_locks/store.ts";
import { selfLocksInput } from "../../../../services/self_locks/input.ts";
import { selfLocksJson } from "../../../../services/self_locks/json.ts";

const settings = z.object({
  dailyLossLimit: z.string().nullable(),
  maxTradesPerDay: z.int().nullable(),
  cooldownLosses: z.int().nullable(),
  cooldownMinutes: z.int().nullable(),
});
const selfLocks = z.object({
  accountId: z.uuid(),
  currency: z.string(),
  settings,
  pending: z.object({ values: settings.partial(), appliesAt: z.string() }).nullable(),
  tradingDay: z.object({
    key: z.string(),
    opensAt: z.string(),
    closesAt: z.string(),
    timeZone: z.string(),
    resetTime: z.string(),
  }),
  usage: z.object({ worstLossToday: z.string(), tradesToday: z.int(), losingStreak: z.int() }),
  locks: z.array(z.object({
    kind: z.enum(["daily_loss", "max_trades", "cooldown"]),
    reason: z.string(),
    until: z.string(),
  })),
  trading: z.object({
    allowed: z.boolean(),
    code: z.literal("self_locked").nullable(),
    reason: z.string().nullable(),
    until: z.string().nullable(),
  }),
});
const params = z.object({ id: z.uuid("No such account.") });
const NO_STORE = { "cache-control": "no-store" };

export const api = defineApi({
  GET: {
    summary: "The account's self-locks",
    description:
      "The limits the trader set on this account (null = off), any loosening waiting for the next " +
      "daily reset and when it applies, today's figures they are judged on (the plan's trading day), every " +
      "lock that holds now and until when, and the resulting `trading` permission the venue and demo-sync " +
      "apply. Owner only; anyone else gets 404.",
    tags: ["accounts"],
    access: "authenticated",
    params,
    responses: {
      200: { description: "The self-locks now", schema: selfLocks },
      404: { description: "No such account of yours" },
    },
  },
  PUT: {
    summary: "Set the account's self-locks",
    description: "Replaces the whole set (null turns a lock off). `dailyLossLimit`: money in the account's " +
      "currency, reached when the day's loss (start-of-day balance minus equity: realized plus unrealized) " +
      "gets to it; `maxTradesPerDay`: trades opened per trading day; `cooldownLosses` + `cooldownMinutes`: " +
      "after that many losing trades in a row, no new trade for that long (both or neither). A tighter " +
      "value applies at once; a looser one (higher, shorter, or off) only at the next daily reset, shown " +
      "in `pending`. Owner only; anyone else gets 404. Audited.",
    tags: ["accounts"],
    access: "authenticated",
    params,
    body: selfLocksInput,
    responses: {
      200: { description: "The self-locks right after the change", schema: selfLocks },
      404: { description: "No such account of yours" },
      422: { description: "Invalid limits (fields name the limit)" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { params, user }) {
    const { deps, actor } = ctx.state;
    const status = await ownSelfLocks(deps.db.sql, user.id, actor, params.id, new Date());
    return Response.json(selfLocksJson(status), { headers: NO_STORE });
  },
  async PUT(ctx, { params, user, body }) {
    const { deps, actor } = ctx.state;
    const status = await updateSelfLocks(deps.db, user.id, actor, params.id, body, new Date());
    return Response.json(selfLocksJson(status), { headers: NO_STORE });
  },
});
