import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { checkPassword } from "./credential_check.ts";
import { consumeEmailToken, issueEmailToken } from "./email_tokens.ts";
import { changeEmailMail } from "../mail/templates.ts";
import { emailSchema, nameSchema } from "./accounts.ts";
import type { AuthDeps } from "./context.ts";
import type { SessionUser } from "./sessions.ts";
import type { Role } from "./roles.ts";
import { isRegionZone } from "../time_format.ts";

const timeZone = z.string().refine(isRegionZone, "must be an IANA time zone, e.g. Europe/Prague");

export const profileUpdateInput = z.object({
  firstName: nameSchema.optional(),
  lastName: nameSchema.optional(),
  country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, "must be a two-letter country code").nullable()
    .optional(),
  timeZone: timeZone.optional(),
  /** Changing the email sends a confirmation link to the new address; the current password is required. */
  email: emailSchema.optional(),
  currentPassword: z.string().max(1024).optional(),
});

export interface Profile {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  country: string | null;
  timeZone: string;
  role: Role;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  pendingEmail: string | null;
  createdAt: string;
}

/** The caller's own profile: the only user row this function can read is the caller's. */
export async function getProfile(sql: Sql, user: SessionUser): Promise<Profile> {
  const [row] = await sql<
    {
      id: string;
      email: string;
      first_name: string;
      last_name: string;
      country: string | null;
      time_zone: string;
      role: Role;
      email_verified_at: Date | null;
      two_factor: boolean;
      pending_email: string | null;
      created_at: Date;
    }[]
  >`
    select u.id, u.email, u.first_name, u.last_name, u.country, u.time_zone, u.role, u.email_verified_at,
           exists (select 1 from user_totp t where t.user_id = u.id and t.enabled_at is not null) as two_factor,
           (select e.new_email from email_tokens e
             where e.user_id = u.id and e.purpose = 'change_email' and e.used_at is null and e.expires_at > now()
             order by e.created_at desc limit 1) as pending_email,
           u.created_at
    from users u where u.id = ${user.id}`;
  if (!row) throw new NotFound("No such user.");
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    country: row.country,
    timeZone: row.time_zone,
    role: row.role,
    emailVerified: row.email_verified_at !== null,
    twoFactorEnabled: row.two_factor,
    pendingEmail: row.pending_email,
    createdAt: row.created_at.toISOString(),
  };
}

/** Updates names, country and time zone; an email change is confirmed through a link to the new address. */
export async function updateProfile(
  deps: AuthDeps,
  user: SessionUser,
  input: z.infer<typeof profileUpdateInput>,
  actor: Actor,
): Promise<Profile> {
  const changingEmail = input.email !== undefined && input.email !== user.email;
  if (changingEmail) {
    if (!input.currentPassword) throw new Unprocessable("currentPassword", "is required to change the email");
    await checkPassword(deps, user.id, input.currentPassword, "currentPassword");
  }
  let token: string | null = null;
  await deps.db.tx(async (tx) => {
    if (changingEmail) {
      const [taken] = await tx`select 1 from users where lower(email) = ${input.email!}`;
      if (taken) {
        throw new Conflict("An account with this email already exists.", { email: "is already registered" });
      }
      token = await issueEmailToken(tx, user.id, "change_email", { newEmail: input.email });
    }
    await tx`
      update users set
        first_name = coalesce(${input.firstName ?? null}, first_name),
        last_name = coalesce(${input.lastName ?? null}, last_name),
        country = case when ${input.country !== undefined} then ${input.country ?? null} else country end,
        time_zone = coalesce(${input.timeZone ?? null}, time_zone),
        updated_at = now()
      where id = ${user.id}`;
  });
  if (token) await deps.mailer.send({ to: input.email!, ...changeEmailMail(deps.config.appUrl, token) });
  if (changingEmail) {
    await recordAudit(deps.db.sql, actor, "auth.email_changed", {
      type: "user",
      id: user.id,
      details: { stage: "requested", newEmail: input.email },
    });
  }
  return await getProfile(deps.db.sql, user);
}

/** Applies an email change once the new address's owner followed the link. */
export async function confirmEmailChange(deps: AuthDeps, token: string, actor: Actor): Promise<void> {
  await deps.db.tx(async (tx) => {
    const { userId, newEmail } = await consumeEmailToken(tx, "change_email", token);
    const [taken] = await tx`select 1 from users where lower(email) = ${newEmail!} and id <> ${userId}`;
    if (taken) {
      throw new Conflict("An account with this email already exists.", { email: "is already registered" });
    }
    await tx`update users set email = ${newEmail!}, email_verified_at = now(), updated_at = now() where id = ${userId}`;
    await recordAudit(tx, { ...actor, userId }, "auth.email_changed", {
      type: "user",
      id: userId,
      details: { stage: "confirmed", newEmail },
    });
  });
}
