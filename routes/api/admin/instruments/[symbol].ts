import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import {
  instrumentInput,
  symbolParam,
  updateInstrument,
} from "../../../../services/venue/instrument_admin.ts";
import { adminInstrumentJson, adminInstrumentSchema } from "../../venue/_schemas.ts";

const access = rolesWith("instruments.manage");

export const api = defineApi({
  PUT: {
    summary: "Change an instrument",
    description:
      "The complete settings (the symbol stays). Open positions keep their fills; new orders, the " +
      "simulated feed (within 30 s) and margin use the new values. Audited as `admin.instrument_updated` with " +
      "every changed field's old and new value.",
    tags: ["admin"],
    access,
    params: z.object({ symbol: symbolParam }),
    body: instrumentInput,
    responses: {
      200: { description: "The instrument", schema: adminInstrumentSchema },
      404: { description: "No such instrument" },
      422: { description: "Invalid settings" },
    },
  },
});

export const handler = define.api(api, {
  async PUT(ctx, { body, params }) {
    const { deps, actor } = ctx.state;
    return Response.json(
      adminInstrumentJson(await updateInstrument(deps.db, actor, params.symbol, body), new Date()),
    );
  },
});
