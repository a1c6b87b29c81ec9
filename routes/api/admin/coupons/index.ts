import { z } from "zod";
import { define } from "../../../_define.ts";
import { defineApi } from "../../../../lib/api.ts";
import { rolesWith } from "../../../../services/auth/roles.ts";
import { allCoupons, couponInputSchema, createCoupon } from "../../../../services/commerce/coupon_admin.ts";
import { couponSchema } from "./_schemas.ts";

const access = rolesWith("coupons.manage");

export const api = defineApi({
  GET: {
    summary: "Every coupon, newest first, with its redemption count",
    tags: ["admin"],
    access,
    responses: { 200: { description: "Coupons", schema: z.object({ coupons: z.array(couponSchema) }) } },
  },
  POST: {
    summary: "Create a coupon",
    description: "A percent coupon takes `value` % of the list price (rounded half away from zero to the " +
      "cent); an amount coupon takes `value` in `currency` (never below zero) and applies only to plans " +
      "priced in that currency. Optional: plan restriction, validity window, total and per-user limits.",
    tags: ["admin"],
    access,
    body: couponInputSchema,
    responses: {
      201: { description: "The coupon", schema: couponSchema },
      409: { description: "The code exists" },
      422: { description: "Invalid coupon" },
    },
  },
});

export const handler = define.api(api, {
  async GET(ctx) {
    return Response.json({ coupons: await allCoupons(ctx.state.deps.db) });
  },
  async POST(ctx, { body }) {
    const { deps, actor } = ctx.state;
    const coupon = await createCoupon(deps.db, actor, body);
    return Response.json(coupon, { status: 201, headers: { location: `/api/admin/coupons/${coupon.id}` } });
  },
});
