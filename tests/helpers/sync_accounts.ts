/** Arranging users and comparable accounts for the live engine tests, straight in the database. */
import type { Db } from "../../db/client.ts";
import { openAccount } from "../../services/accounts/open.ts";

/** A bare trader row (no password, no session): enough to own accounts. */
export async function newUser(db: Db): Promise<string> {
  const [{ id }] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values (${`sync-${crypto.randomUUID()}@example.test`}, 'x')
    returning id`;
  return id;
}

/** Another phase-1 account on the same plan version, started at `at` (so engine states are comparable). */
export async function openSibling(db: Db, userId: string, planVersionId: string, at: Date): Promise<string> {
  return await db.tx(async (tx) => {
    const [{ id: challengeId }] = await tx<{ id: string }[]>`
      insert into challenges (user_id, plan_version_id, status, started_at)
      values (${userId}, ${planVersionId}, 'active', now()) returning id`;
    return (await openAccount(tx, { userId, challengeId, planVersionId, stage: 0, at })).accountId;
  });
}
