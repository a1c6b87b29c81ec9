/**
 * A trader's KYC status (DESIGN §3.3): the status of their latest submission, "none" before the first one.
 * Payouts read it to decide eligibility; keep this module free of anything but the one query.
 */
import type { Sql } from "../../db/client.ts";

export type KycStatus = "none" | "submitted" | "approved" | "rejected";

/** The status of the user's latest KYC submission ("none" when they never submitted). */
export async function kycStatus(sql: Sql, userId: string): Promise<KycStatus> {
  const rows = await sql<{ status: Exclude<KycStatus, "none"> }[]>`
    select status from kyc_submissions where user_id = ${userId}
    order by submitted_at desc, id desc limit 1`;
  return rows[0]?.status ?? "none";
}
