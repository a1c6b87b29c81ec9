import { z } from "zod";
import { define } from "../../_define.ts";
import { defineApi } from "../../../lib/api.ts";
import { listInstruments } from "../../../services/venue/instruments.ts";
import { instrumentJson, instrumentSchema } from "./_schemas.ts";

export const api = defineApi({
  GET: {
    summary: "The venue's tradable instruments",
    description:
      "Every active instrument of the built-in venue with its contract, costs, leverage and trading " +
      "hours, and whether its market is open now (`open`, `nextOpen`).",
    tags: ["venue"],
    access: "public",
    responses: {
      200: { description: "Instruments", schema: z.object({ instruments: z.array(instrumentSchema) }) },
    },
  },
});

export const handler = define.handlers({
  async GET(ctx) {
    const now = new Date();
    const instruments = await listInstruments(ctx.state.deps.db.sql, { activeOnly: true });
    return Response.json({ instruments: instruments.map((i) => instrumentJson(i, now)) });
  },
});
