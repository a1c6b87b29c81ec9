import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { listOwnAccounts } from "../../../services/accounts/access.ts";

const accountSchema = z.object({
  id: z.string(),
  userId: z.string(),
  challengeId: z.string().nullable(),
  phase: z.int().nullable(),
  type: z.enum(["challenge", "funded", "demo"]),
  status: z.string(),
  currency: z.string(),
  initialBalance: z.string(),
  balance: z.string(),
  equity: z.string(),
  dailyFloor: z.string().nullable(),
  maxFloor: z.string().nullable(),
  stateVersion: z.int(),
  lastEventAt: z.string().nullable(),
  nextResetAt: z.string().nullable(),
  updatedAt: z.string(),
  planName: z.string().nullable().describe("The plan's name (null for a demo account)."),
  phaseName: z.string().nullable().describe("The plan's name for the phase (null for funded and demo)."),
  tradeSource: z.enum(["venue", "connector"]).nullable().describe(
    "Who trades the account: the built-in venue or an outside platform's connector (demo-sync); fixed by its " +
      "first trade, null before.",
  ),
  tradePlatform: z.object({ name: z.string(), version: z.string().nullable() }).nullable().describe(
    "The platform a connector's account is traded on, as its connector named it in demo-sync (`platform`), " +
      'e.g. `{"name":"MetaTrader 5","version":"5.0.4200"}`; null for a venue\'s account, before the ' +
      "first trade, or when the connector never named it. Connector-supplied text: escape it.",
  ),
});

export const api = defineApi({
  GET: {
    summary: "The caller's trading accounts",
    description: "Every account of the caller, newest first, with status, balance, equity and the current " +
      "daily and max-loss floors (decimal strings).",
    tags: ["users"],
    access: "authenticated",
    responses: { 200: { description: "Accounts", schema: z.object({ accounts: z.array(accountSchema) }) } },
  },
});

export const handler = define.api(api, {
  async GET(ctx, { user }) {
    return Response.json({ accounts: await listOwnAccounts(ctx.state.deps.db.sql, user.id) });
  },
});
