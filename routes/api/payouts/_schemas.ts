import { z } from "zod";

const money = z.string().describe('Decimal string with 2 places, e.g. "2500.00"');

export const payoutSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  currency: z.string(),
  amount: money.describe("The gross amount withdrawn from the account"),
  traderShare: money.describe("What the trader receives: floor(amount × splitPercent %) to the cent"),
  splitPercent: z.string(),
  status: z.enum(["pending", "approved", "rejected", "paid"]),
  approvals: z.number().int(),
  approvalsRequired: z.number().int().describe("2 above the four-eyes amount, else 1"),
  requestedAt: z.string(),
  approvedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  rejectedAt: z.string().nullable(),
  reason: z.string().nullable().describe("Why it was rejected"),
  reference: z.string().nullable().describe("The payment reference once paid"),
});

export const staffPayoutSchema = payoutSchema.extend({
  userId: z.string(),
  userEmail: z.string(),
  userName: z.string(),
  approvedBy: z.array(z.string()).describe("Staff who approved, oldest first"),
});

export const readinessSchema = z.object({
  accountId: z.string(),
  currency: z.string(),
  eligible: z.boolean(),
  profit: money.describe("balance − initial balance (may be negative)"),
  maxAmount: money.describe("The most a request may withdraw"),
  maxShare: money.describe("The trader's share of maxAmount"),
  minAmount: money.describe("The least amount whose share reaches the minimum payout"),
  splitPercent: z.string(),
  minPayout: money,
  nextRequestAt: z.string().nullable(),
  conditions: z.array(z.object({
    key: z.enum([
      "funded_active",
      "kyc_approved",
      "no_open_positions",
      "profit",
      "min_payout",
      "interval",
      "no_open_request",
    ]),
    met: z.boolean(),
    message: z.string(),
  })),
});

/** A payout as its trader sees it (no staff identities). */
export function traderView<T extends { approvedBy?: unknown; userEmail?: unknown; userName?: unknown }>(
  p: T,
) {
  const { approvedBy: _a, userEmail: _e, userName: _n, ...rest } = p;
  return rest;
}
