import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readText } from "../../../lib/body.ts";
import { Unprocessable } from "../../../lib/errors.ts";
import { fieldErrors, parseJson, requireJsonType } from "../../../lib/validation.ts";
import { syncEventSchema } from "../../../services/engine/sync_events.ts";
import { countFailures, enforce, RATE_RULES } from "../../../services/rate_limit/rules.ts";
import { applySync, MAX_SYNC_EVENTS } from "../../../services/accounts/sync.ts";
import { SYNC_SIGNATURE_HEADER, verifySync } from "../../../services/accounts/sync_signature.ts";
import { platformSchema } from "../../../services/accounts/trade_platform.ts";

/** A connector batches what happened since its last call (services/accounts/sync.ts says why 1,000). */
const MAX_EVENTS = MAX_SYNC_EVENTS;
/** 1,000 events of the longest valid kind (100-character ids, ~400 bytes each) fit. */
const MAX_BODY_BYTES = 512 * 1024;

const syncInput = z.object({
  accountId: z.uuid("must be an account id"),
  events: z.array(syncEventSchema).max(MAX_EVENTS, `at most ${MAX_EVENTS} events per request`),
  platform: platformSchema.optional().describe(
    "The trading platform the connector bridges (services/accounts/trade_platform.ts): stored with the " +
      "account's trade source and shown to the trader and to staff. Its name is fixed by the first batch " +
      "that names one; a later `version` replaces the stored one.",
  ),
});

const record = z.record(z.string(), z.unknown());
const syncResult = z.object({
  accepted: z.int(),
  duplicates: z.int(),
  late: z.int(),
  results: z.array(z.object({
    id: z.string(),
    outcome: z.enum(["applied", "duplicate", "late"]),
    reason: z.string().optional(),
  })),
  account: record,
  breaches: z.array(record),
  trading: z.object({
    allowed: z.boolean(),
    reason: z.enum(["paused", "failed", "passed", "self_locked"]).nullable(),
    until: z.string().nullable(),
    message: z.string().optional(),
    closeAll: z.boolean(),
    openPositions: z.array(z.string()),
  }),
  violations: z.array(record),
  next: record.nullable(),
});

export const api = defineApi({
  POST: {
    summary: "Apply trade and equity events from a trading-platform connector",
    description: "Authenticated by `X-Sync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(SYNC_SECRET, " +
      't + "." + raw body)>` (±5 min), not by a session. At most ' + `${MAX_EVENTS} events per batch ` +
      "(422 past it; send more in several batches). Events are applied in `at` order and answered one by " +
      "one in `results` (request order): `applied`; `duplicate` — its `id` was applied before or repeats " +
      "in this batch, so re-sending a batch or a sliding window is safe; `late` (with `reason`) — a new " +
      "event older than the account's last applied instant (an event or a daily reset), which is neither " +
      "applied nor recorded, since rules are never evaluated backwards. `accepted`, `duplicates` and " +
      "`late` count them; the other events of the batch apply either way. `trading` " +
      "tells the connector whether the account may trade and which positions to close now (daily-loss " +
      "pause, failed; or `self_locked`, with `until` and `message`, while one of the trader's own " +
      "self-locks holds: no new trades then, but no forced close); it repeats on every response while it " +
      "holds. An account takes trades from one source, fixed by its first trade: the first accepted batch " +
      "on an account with no trade yet makes it the connector's; one the built-in venue trades answers 409 " +
      "`account_on_venue`. The optional `platform` ({name, version?}: one printable line each, at most 64 " +
      "and 32 characters) names the platform the connector bridges, e.g. " +
      '`{"name":"MetaTrader 5","version":"5.0.4200"}`: the batch that claims the account (or the first ' +
      "one naming it, on an account the connector already trades) stores it; a batch naming another " +
      "version updates the version; a batch naming another platform (names compared without regard to case) " +
      "answers 409 `account_on_other_platform` and applies nothing; a batch without it changes nothing. It " +
      "never sets or changes the trade source. Events for a failed or passed account " +
      "are recorded but not evaluated.",
    tags: ["trading"],
    access: "public",
    rateLimit: "self",
    body: syncInput,
    rawBody: true,
    bodyLimit: MAX_BODY_BYTES,
    responses: {
      200: { description: "Each event applied, duplicate or late (see `results`)", schema: syncResult },
      400: { description: "The body is not JSON" },
      401: { description: "Missing, malformed, stale or wrong signature" },
      404: { description: "No such account" },
      409: {
        description: "The account is not trading (pending, pending KYC or closed), or `account_on_venue`: " +
          "it is traded on the built-in venue (its first trade was made there; an account has one trade " +
          "source), so nothing of the batch was applied; or `account_on_other_platform`: the batch's " +
          "`platform.name` is not the platform the account is traded on, so nothing of it was applied",
      },
      429: { description: "Too many failed signatures from this address, or batches for this account" },
      422: {
        description:
          `Invalid events (fields name \`events.<index>.<field>\`) or \`platform\` (\`platform.name\`, ` +
          `\`platform.version\`), more than ${MAX_EVENTS} ` +
          "events, or events stamped more than 5 minutes ahead; nothing was applied",
      },
    },
  },
});

export const handler = define.handlers({
  async POST(ctx) {
    const { deps } = ctx.state;
    const raw = await readText(ctx.req);
    // The signature covers the exact bytes, so it is checked before anything reads them as JSON.
    await countFailures(
      deps.limiter,
      RATE_RULES.bad_signature_ip,
      ctx.state.actor.ip ?? "unknown",
      () => verifySync(ctx.req.headers.get(SYNC_SIGNATURE_HEADER), raw, deps.config.syncSecret),
    );
    requireJsonType(ctx.req);
    const input = parseInput(parseJson(raw));
    await enforce(deps.limiter, RATE_RULES.sync_account, input.accountId);
    return Response.json(await applySync(deps, input.accountId, input.events, new Date(), input.platform));
  },
});

/** Validates the whole batch up front (nothing is applied from a batch with one bad event); each event
 * field error also names the event's id, which is what a connector's logs know it by. */
function parseInput(json: unknown): z.infer<typeof syncInput> {
  const events = (json as { events?: unknown })?.events;
  // Counted before validating, so an oversized batch costs nothing more than its JSON parse.
  if (Array.isArray(events) && events.length > MAX_EVENTS) {
    throw new Unprocessable("events", `at most ${MAX_EVENTS} events per request`);
  }
  const result = syncInput.safeParse(json);
  if (result.success) return result.data;
  const fields = fieldErrors(result.error);
  for (const [path, message] of Object.entries(fields)) {
    const m = /^events\.(\d+)(\.|$)/.exec(path);
    const id = m && Array.isArray(events) ? (events[Number(m[1])] as { id?: unknown })?.id : undefined;
    if (typeof id === "string") fields[path] = `${message} (event "${id.slice(0, 100)}")`;
  }
  throw new Unprocessable(fields);
}
