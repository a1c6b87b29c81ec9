import type { Sql } from "../../db/client.ts";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { Unprocessable } from "../../lib/errors.ts";

type EmailTokenPurpose = "verify_email" | "reset_password" | "change_email";

/** How long a link in an email works. Reset links are short-lived: they grant a password. */
const LIFETIME_MINUTES: Record<EmailTokenPurpose, number> = {
  verify_email: 48 * 60,
  reset_password: 30,
  change_email: 24 * 60,
};

/**
 * Issues a single-use token for `purpose`, voiding older unused ones of the same purpose (only the newest
 * email's link works). Only its hash is stored.
 */
export async function issueEmailToken(
  tx: Sql,
  userId: string,
  purpose: EmailTokenPurpose,
  opts: { newEmail?: string; now?: Date } = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  const token = randomToken(32);
  await tx`
    update email_tokens set used_at = ${now}
    where user_id = ${userId} and purpose = ${purpose} and used_at is null`;
  await tx`
    insert into email_tokens (user_id, purpose, token_hash, new_email, created_at, expires_at)
    values (${userId}, ${purpose}, ${await sha256Hex(token)}, ${opts.newEmail ?? null}, ${now},
            ${new Date(now.getTime() + LIFETIME_MINUTES[purpose] * 60_000)})`;
  return token;
}

/** Uses up a token; an unknown, spent or expired one is a 422 on field `token` (no hint which). */
/** A lifetime in words for mails and pages: "30 minutes", "48 hours". */
export function lifetimeText(purpose: EmailTokenPurpose): string {
  const minutes = LIFETIME_MINUTES[purpose];
  return minutes % 60 === 0 ? `${minutes / 60} hours` : `${minutes} minutes`;
}

export async function consumeEmailToken(
  tx: Sql,
  purpose: EmailTokenPurpose,
  token: string,
  now = new Date(),
): Promise<{ userId: string; newEmail: string | null }> {
  const [row] = await tx<{ id: string; user_id: string; new_email: string | null }[]>`
    update email_tokens set used_at = ${now}
    where token_hash = ${await sha256Hex(token)} and purpose = ${purpose} and used_at is null
      and expires_at > ${now}
    returning id, user_id, new_email`;
  if (!row) throw new Unprocessable("token", "this link is invalid, expired or already used");
  return { userId: row.user_id, newEmail: row.new_email };
}
