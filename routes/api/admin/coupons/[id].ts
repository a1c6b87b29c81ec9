import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { changeCoupon, couponChangesSchema } from "../../../../services/commerce/coupon_admin.ts";
import { couponParams, couponSchema } from "./_schemas.ts";

export const api = defineApi({
  PATCH: {
    summary: "Switch a coupon off or on, or change its expiry and limits",
    description: '`{"active": false}` stops the coupon at once (orders already paid keep their discount). ' +
      "Kind and value never change: create a new coupon instead.",
    tags: ["admin"],
    access: rolesWith("coupons.manage"),
    params: couponParams,
    body: couponChangesSchema,
    responses: {
      200: { description: "The coupon", schema: couponSchema },
      404: { description: "No such coupon" },
      422: { description: "Invalid change" },
    },
  },
});

export const handler = define.api(api, {
  async PATCH(ctx, { body, params }) {
    const { deps, actor } = ctx.state;
    return Response.json(await changeCoupon(deps.db, actor, params.id, body));
  },
});
