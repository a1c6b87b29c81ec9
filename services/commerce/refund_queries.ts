/** Reading `refunds`: an order's refunds, oldest first, as rows and as the API shows them. */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";

export interface RefundRow {
  id: string;
  order_id: string;
  amount: string;
  currency: string;
  reason: string;
  status: "pending" | "succeeded";
  provider: string;
  provider_ref: string | null;
  requested_by: string | null;
  idempotency_key: string;
  created_at: Date;
  succeeded_at: Date | null;
}

/** A refund as staff and the API see it (money a decimal string, instants ISO-8601 UTC). */
export interface RefundView {
  id: string;
  orderId: string;
  amount: string;
  currency: string;
  reason: string;
  status: "pending" | "succeeded";
  provider: string;
  providerRef: string | null;
  requestedBy: string | null;
  createdAt: string;
  succeededAt: string | null;
}

export const refundSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  amount: z.string(),
  currency: z.string(),
  reason: z.string(),
  status: z.enum(["pending", "succeeded"]).describe(
    "`pending`: asked of a provider that confirms by webhook; `succeeded`: the money went back.",
  ),
  provider: z.string(),
  providerRef: z.string().nullable().describe("The provider's refund id"),
  requestedBy: z.string().nullable().describe("The staff member; null when the provider reported it"),
  createdAt: z.string(),
  succeededAt: z.string().nullable(),
});

export function refundView(r: RefundRow): RefundView {
  return {
    id: r.id,
    orderId: r.order_id,
    amount: r.amount,
    currency: r.currency,
    reason: r.reason,
    status: r.status,
    provider: r.provider,
    providerRef: r.provider_ref,
    requestedBy: r.requested_by,
    createdAt: r.created_at.toISOString(),
    succeededAt: r.succeeded_at?.toISOString() ?? null,
  };
}

/** The refunds of `orderId`, oldest first. */
export async function refundsOf(sql: Sql, orderId: string): Promise<RefundRow[]> {
  return await sql<RefundRow[]>`select * from refunds where order_id = ${orderId} order by created_at, id`;
}
