import { Unprocessable } from "../../lib/errors.ts";
import type { Db } from "../../db/client.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { hashPassword } from "./password.ts";
import { checkPasswordPolicy } from "./password_policy.ts";
import { normalizeEmail } from "./accounts.ts";
import { isRole, type Role, ROLES } from "./roles.ts";
import { revokeOtherSessions } from "./sessions.ts";

/**
 * Operator command behind `deno task admin:create <email> [role]`: creates a staff account (email counts as
 * verified: the operator vouches for it) or changes an existing user's role; with a password, sets it.
 * Role changes sign the user out everywhere so the new role applies at once. Audited.
 */
export async function createOrPromoteStaff(
  db: Db,
  input: { email: string; role: string; password?: string },
  actor: Actor,
): Promise<{ id: string; created: boolean; role: Role }> {
  const email = normalizeEmail(input.email);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new Unprocessable("email", "must be a valid email address");
  }
  if (!isRole(input.role)) throw new Unprocessable("role", `must be one of ${ROLES.join(", ")}`);
  const role = input.role;
  if (input.password !== undefined) {
    const problem = checkPasswordPolicy(input.password, { email });
    if (problem) throw new Unprocessable("password", problem);
  }
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);

  return await db.tx(async (tx) => {
    const [existing] = await tx<
      { id: string; role: Role }[]
    >`select id, role from users where lower(email) = ${email}`;
    if (!existing) {
      if (!passwordHash) throw new Unprocessable("password", "is required to create a new account");
      const [user] = await tx<{ id: string }[]>`
        insert into users (email, password_hash, role, email_verified_at)
        values (${email}, ${passwordHash}, ${role}, now()) returning id`;
      await recordAudit(tx, actor, "admin.user_created", {
        type: "user",
        id: user.id,
        details: { email, role },
      });
      return { id: user.id, created: true, role };
    }
    await tx`
      update users set role = ${role}, password_hash = coalesce(${passwordHash}, password_hash), updated_at = now()
      where id = ${existing.id}`;
    if (existing.role !== role) {
      await revokeOtherSessions(tx, existing.id, null, "admin");
      await recordAudit(tx, actor, "admin.role_changed", {
        type: "user",
        id: existing.id,
        details: { from: existing.role, to: role },
      });
    }
    return { id: existing.id, created: false, role };
  });
}

/** How many users hold each role, in role order: the back office's head count. */
export async function countUsersByRole(db: Db): Promise<{ role: string; n: number }[]> {
  return await db.sql<{ role: string; n: number }[]>`
    select role, count(*)::int as n from users group by role order by role`;
}
