/**
 * What staff do to a user from the back office: suspend / unsuspend, change the role, send a password-reset
 * mail. Each is one transaction with its audit entry; the route checks the permission (users.manage,
 * roles.change), these check what no permission allows (acting on yourself, removing the last admin).
 */
import { z } from "zod";
import type { Db, Sql } from "../../db/client.ts";
import { Conflict, Forbidden, NotFound } from "../../lib/errors.ts";
import { singleLine } from "../../lib/text.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { resetLinkMail } from "../auth/accounts.ts";
import { ROLES } from "../auth/roles.ts";
import { announceEndedSessions } from "../auth/session_liveness.ts";
import { revokeOtherSessions, type SessionUser } from "../auth/sessions.ts";
import { requireMoneyStepUp } from "../auth/step_up.ts";
import type { Bus } from "../bus/mod.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { UserStatus } from "./list.ts";

type ActionDeps = { db: Db; bus: Bus; mailer: Mailer; config: { appUrl: string } };

export const statusInput = z.object({
  status: z.enum(["active", "suspended"]),
  reason: singleLine().trim().min(5, "is at least 5 characters").max(500, "is at most 500 characters"),
});

export const roleInput = z.object({ role: z.enum(ROLES) });

/** The user row, locked for the change; 404 when there is none. */
async function lockUser(tx: Sql, id: string) {
  const [row] = await tx<{ id: string; email: string; role: (typeof ROLES)[number]; status: UserStatus }[]>`
    select id, email, role, status from users where id = ${id} for update`;
  if (!row) throw new NotFound("No such user.");
  return row;
}

/**
 * Suspends a user (they can no longer sign in, and every session, refresh token and open stream of theirs
 * ends now) or lifts the suspension. A closed account stays closed; you cannot suspend yourself.
 * Returns the number of sessions ended.
 */
export async function setUserStatus(
  deps: ActionDeps,
  staff: SessionUser,
  userId: string,
  input: z.infer<typeof statusInput>,
  actor: Actor,
): Promise<{ status: UserStatus; sessionsEnded: number }> {
  if (userId === staff.id) throw new Forbidden("You cannot suspend or reinstate your own account.");
  const ended = await deps.db.tx(async (tx) => {
    const user = await lockUser(tx, userId);
    if (user.status === "closed") {
      throw new Conflict("This account is closed; it cannot be suspended or reinstated.");
    }
    if (user.status === input.status) {
      throw new Conflict(
        input.status === "suspended" ? "The user is already suspended." : "The user is not suspended.",
      );
    }
    await tx`update users set status = ${input.status}, updated_at = now() where id = ${userId}`;
    let ended: string[] = [];
    if (input.status === "suspended") {
      ended = await revokeOtherSessions(tx, userId, null, "admin");
      // A revoked session's tokens are refused anyway; deleting them leaves nothing that could be replayed.
      if (ended.length) await tx`delete from refresh_tokens where session_id = any(${ended}::uuid[])`;
    }
    await recordAudit(
      tx,
      actor,
      input.status === "suspended" ? "admin.user_suspended" : "admin.user_unsuspended",
      { type: "user", id: userId, details: { reason: input.reason, sessionsEnded: ended.length } },
    );
    return ended;
  });
  // After the commit: open streams (this process and the others) end now, not at the next liveness check.
  await announceEndedSessions(deps.bus, ended);
  return { status: input.status, sessionsEnded: ended.length };
}

/**
 * Changes a user's role. Needs a fresh step-up of the acting admin (as payouts do); nobody changes their own
 * role, and the last active admin cannot be demoted. Open streams of the user end at their next liveness
 * check (the role they were opened under no longer matches); their next request already sees the new role.
 */
export async function changeRole(
  deps: ActionDeps,
  staff: SessionUser,
  userId: string,
  input: z.infer<typeof roleInput>,
  actor: Actor,
  now = new Date(),
): Promise<{ role: (typeof ROLES)[number] }> {
  if (userId === staff.id) throw new Forbidden("You cannot change your own role; ask another admin.");
  await requireMoneyStepUp(deps.db.sql, staff, now);
  await deps.db.tx(async (tx) => {
    // Admins are locked first, all of them: two admins demoting each other at once must not leave none.
    const admins = await tx<{ id: string }[]>`
      select id from users where role = 'admin' and status = 'active' order by id for update`;
    const user = await lockUser(tx, userId);
    if (user.role === input.role) throw new Conflict(`The user is already ${input.role}.`);
    if (user.role === "admin" && admins.every((a) => a.id === userId)) {
      throw new Conflict("This is the last active admin; make another admin first.");
    }
    await tx`update users set role = ${input.role}, updated_at = now() where id = ${userId}`;
    await recordAudit(tx, actor, "admin.role_changed", {
      type: "user",
      id: userId,
      details: { from: user.role, to: input.role },
    });
  });
  return { role: input.role };
}

/** Mails the user a password-reset link (the forgot-password mail), audited. Only for active accounts. */
export async function sendPasswordReset(
  deps: ActionDeps,
  userId: string,
  actor: Actor,
): Promise<void> {
  const mail = await deps.db.tx(async (tx) => {
    const user = await lockUser(tx, userId);
    if (user.status !== "active") {
      throw new Conflict("The account is not active; reinstate it before sending a reset link.");
    }
    await recordAudit(tx, actor, "admin.password_reset_sent", { type: "user", id: userId });
    return await resetLinkMail(tx, deps.config.appUrl, user);
  });
  await deps.mailer.send(mail);
}
