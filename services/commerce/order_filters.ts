/** The staff order list's query string, read once for the API and the page (blank form fields = no filter). */
import { z } from "zod";
import { rangeQuery } from "../trading/filters.ts";
import { ORDER_STATUSES } from "./order_admin.ts";

const blank = (v: unknown) => (v === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

export const orderListQuery = z.object({
  status: optional(z.enum(ORDER_STATUSES, `must be one of ${ORDER_STATUSES.join(", ")}`)),
  planId: optional(z.uuid("must be a plan id")),
  coupon: optional(z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$/, "must be a coupon code")),
  email: optional(z.string().trim().min(1).max(200)).describe("Part of the buyer's email"),
  ...rangeQuery,
  flagged: optional(z.enum(["true", "false"]).transform((v) => v === "true")),
  cursor: optional(z.string().max(200)),
  limit: optional(z.coerce.number().int().min(1).max(200)).describe("Page size, 1–200 (50)"),
});
export type OrderListQuery = z.infer<typeof orderListQuery>;
