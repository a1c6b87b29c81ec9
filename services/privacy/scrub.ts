/**
 * The parts of erasure that rewrite rows which are kept: audit entries (kept for their own period as security
 * records) and the mail log. The entries stay, so the trail still says what happened and when; what goes is
 * what identifies the person — their addresses, and the IP and browser of what they did themselves.
 */
import type postgres from "postgres";
import type { Tx } from "../../db/client.ts";

/** What replaces a mail's subject and bodies. */
const ERASED_TEXT = "[erased]";

/**
 * Clears IP and browser from the entries the user made, and replaces every known address of theirs (any
 * case) inside the details of any entry — e.g. failed sign-ins that typed it, or an email change. Returns
 * how many entries changed.
 */
export async function scrubAuditEntries(
  tx: Tx,
  userId: string,
  emails: readonly string[],
  placeholder: string,
): Promise<number> {
  const own = await tx<{ id: string }[]>`
    update audit_log set ip = null, user_agent = null
    where actor_id = ${userId} and (ip is not null or user_agent is not null)
    returning id::text`;
  // A text search of the details: erasure is rare, and an address can sit in an entry that names nobody.
  const mentioning = await tx<{ id: string; details: postgres.JSONValue }[]>`
    select id::text, details from audit_log
    where exists (select 1 from unnest(${emails as string[]}::text[]) e
                  where strpos(lower(details::text), e) > 0)`;
  for (const row of mentioning) {
    await tx`update audit_log set details = ${tx.json(replaceEmails(row.details, emails, placeholder))}
             where id = ${row.id}::bigint`;
  }
  return new Set([...own.map((r) => r.id), ...mentioning.map((r) => r.id)]).size;
}

/** Mails to any of the addresses: the recipient becomes the placeholder, subject and content go. */
export async function scrubMails(tx: Tx, emails: readonly string[], placeholder: string): Promise<number> {
  const rows = await tx`
    update mail_outbox set to_address = ${placeholder}, subject = ${ERASED_TEXT}, text_body = ${ERASED_TEXT},
                           html_body = null
    where lower(to_address) = any(${emails as string[]}::text[])`;
  return rows.count;
}

/** `value` with every occurrence of the addresses (case-insensitive) in its strings replaced, keys included. */
export function replaceEmails(
  value: postgres.JSONValue,
  emails: readonly string[],
  placeholder: string,
): postgres.JSONValue {
  const swap = (text: string) => {
    let out = text;
    for (const email of emails) {
      let at = out.toLowerCase().indexOf(email);
      while (at >= 0) {
        out = out.slice(0, at) + placeholder + out.slice(at + email.length);
        at = out.toLowerCase().indexOf(email, at + placeholder.length);
      }
    }
    return out;
  };
  if (typeof value === "string") return swap(value);
  if (Array.isArray(value)) return value.map((v) => replaceEmails(v, emails, placeholder));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map((
        [k, v],
      ) => [swap(k), replaceEmails(v as postgres.JSONValue, emails, placeholder)]),
    );
  }
  return value;
}
