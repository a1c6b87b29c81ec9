import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { readText } from "../../../lib/body.ts";
import { NotFound } from "../../../lib/errors.ts";
import { parseJson, requireJsonType } from "../../../lib/validation.ts";
import { countFailures, RATE_RULES } from "../../../services/rate_limit/rules.ts";
import { SYNC_SIGNATURE_HEADER, verifySync } from "../../../services/accounts/sync_signature.ts";
import { acceptPriceBatch, MAX_PRICE_BATCH, priceBatchSchema } from "../../../services/venue/webhook.ts";

export const api = defineApi({
  POST: {
    summary: "Price batches from the operator's own feed (PRICE_FEED=webhook)",
    description:
      "Signed like demo-sync: `X-Sync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(SYNC_SECRET, " +
      't + "." + raw body)>` (±5 min). Body `{"ticks": [{symbol, bid, ask, at}]}` (at most ' +
      `${MAX_PRICE_BATCH}; \`at\` in epoch ms, prices on the instrument's tick grid). The whole batch is ` +
      "validated first (422 names `ticks.<index>.<field>`); ticks already stored (a re-sent batch) count as " +
      "`duplicates` and are not applied again. 404 unless the deployment's PRICE_FEED is `webhook`.",
    tags: ["venue"],
    access: "public",
    rateLimit: "self",
    body: priceBatchSchema,
    rawBody: true,
    bodyLimit: 256 * 1024,
    responses: {
      200: {
        description: "Stored and published",
        schema: z.object({ accepted: z.int(), duplicates: z.int() }),
      },
      401: { description: "Missing, malformed, stale or wrong signature" },
      404: { description: "The price webhook is not enabled" },
      422: { description: "Invalid ticks; nothing was stored" },
      429: { description: "Too many failed signatures from this address" },
    },
  },
});

export const handler = define.handlers({
  async POST(ctx) {
    const { deps } = ctx.state;
    if (deps.config.priceFeed.source !== "webhook") throw new NotFound("The price webhook is not enabled.");
    const raw = await readText(ctx.req);
    // The signature covers the exact bytes, so it is checked before anything reads them as JSON.
    await countFailures(
      deps.limiter,
      RATE_RULES.bad_signature_ip,
      ctx.state.actor.ip ?? "unknown",
      () => verifySync(ctx.req.headers.get(SYNC_SIGNATURE_HEADER), raw, deps.config.syncSecret),
    );
    requireJsonType(ctx.req);
    return Response.json(await acceptPriceBatch(deps, parseJson(raw)));
  },
});
