/**
 * The demo funded account's KYC and payout, made as a real trader's are: the identity approved by the demo
 * admin before the funded account starts, then one payout requested through the payouts service (its
 * readiness conditions, the account's lock, the withdrawal applied by the engine at that instant), approved
 * and marked paid by the demo admin through the staff review — nothing here writes a payout's figures itself.
 */
import { placePayoutRequest } from "../payouts/requests.ts";
import { reviewPayout } from "../payouts/review.ts";
import type { Payout } from "../payouts/queries.ts";
import type { Role } from "../auth/roles.ts";
import { traderShareMinor } from "../engine/payout_readiness.ts";
import { fromMinor } from "../money.ts";
import type { Driven, World } from "./driver.ts";
import { cents, summary } from "./driver.ts";

/**
 * The demo trader's KYC, approved by the demo admin at `decidedAt` (there is no KYC service yet: the row is
 * what services/kyc/status.ts reads, as a staff approval leaves it).
 */
export async function approveKyc(world: World, submittedAt: number, decidedAt: number): Promise<void> {
  await world.deps.db.sql`
    insert into kyc_submissions (user_id, status, submitted_at, decided_at, decided_by)
    values (${world.userId}, 'approved', ${new Date(submittedAt)}, ${new Date(decidedAt)}, ${world.staffId})`;
}

/**
 * The gross amount the demo trader withdraws from `profit` cents: half of it in whole hundreds, kept at or
 * under the four-eyes threshold on the trader's share (the demo has one staff member to approve).
 */
export function demoPayoutAmount(profit: number, splitPercent: string, fourEyesAbove: string): number {
  let amount = Math.floor(profit / 2 / 100_00) * 100_00;
  while (amount > 0 && traderShareMinor(BigInt(amount), splitPercent) > BigInt(cents(fourEyesAbove))) {
    amount -= 100_00;
  }
  return amount;
}

/**
 * Requests `amount` cents from `account` at `requestedAt`, then has the demo admin approve it at `approvedAt`
 * and mark it paid at `paidAt`. The account's summary follows the withdrawal.
 */
export async function payOut(
  world: World,
  account: Driven,
  amount: number,
  at: { requestedAt: number; approvedAt: number; paidAt: number },
): Promise<Payout> {
  const { deps } = world;
  const [trader] = await deps.db.sql<{ id: string; email: string; time_zone: string }[]>`
    select id, email, time_zone from users where id = ${world.userId}`;
  const requested = await placePayoutRequest(
    deps,
    { id: trader.id, email: trader.email, timeZone: trader.time_zone },
    { accountId: account.id, amount: fromMinor(BigInt(amount)) },
    `demo-seed-payout-${account.tag}-1`,
    { userId: trader.id, ip: null, userAgent: "demo seed" },
    new Date(at.requestedAt),
  );
  account.summary = await summary(world, account.id);
  const [staff] = await deps.db.sql<{ id: string; role: Role }[]>`
    select id, role from users where id = ${world.staffId}`;
  const actor = { userId: staff.id, ip: null, userAgent: "demo seed" };
  const id = requested.payout.id;
  await reviewPayout(deps, staff, id, { action: "approve" }, actor, new Date(at.approvedAt));
  return await reviewPayout(
    deps,
    staff,
    id,
    { action: "mark_paid", reference: `DEMO-${account.tag.toUpperCase()}-0001` },
    actor,
    new Date(at.paidAt),
  );
}
