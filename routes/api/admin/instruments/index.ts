import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { listInstruments } from "../../../../services/venue/instruments.ts";
import { createInstrument, newInstrumentInput } from "../../../../services/venue/instrument_admin.ts";
import { adminInstrumentJson, adminInstrumentSchema } from "../../venue/_schemas.ts";

const access = rolesWith("instruments.manage");

export const api = defineApi({
  GET: {
    summary: "Every instrument of the venue, active or not",
    tags: ["admin"],
    access,
    responses: {
      200: { description: "Instruments", schema: z.object({ instruments: z.array(adminInstrumentSchema) }) },
    },
  },
  POST: {
    summary: "Add an instrument",
    description: "Prices must be decimal strings; `spread` and `referencePrice` multiples of `tickSize`; " +
      '`hours` `"24/7"` or `{timeZone, open, close, days}`. Audited as `admin.instrument_created`.',
    tags: ["admin"],
    access,
    body: newInstrumentInput,
    responses: {
      201: { description: "The new instrument", schema: adminInstrumentSchema },
      409: { description: "The symbol exists already" },
      422: { description: "Invalid instrument" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx) {
    const now = new Date();
    const instruments = await listInstruments(ctx.state.deps.db.sql);
    return Response.json({ instruments: instruments.map((i) => adminInstrumentJson(i, now)) });
  },
  async POST(ctx, { body }) {
    const { deps, actor } = ctx.state;
    const created = await createInstrument(deps.db, actor, body);
    return Response.json(adminInstrumentJson(created, new Date()), { status: 201 });
  },
});
