/**
 * Per-type mail preferences. In-app notifications are always on (they are the record); mail is on unless
 * the user turned it off for the type. Stored as rows only where the user chose.
 */
import type { Sql } from "../../db/client.ts";
import { NOTIFICATION_TYPES, type NotificationType } from "./types.ts";
import { percent } from "../money_format.ts";

export type MailPreferences = Record<NotificationType, boolean>;

/** What each type is called on the preferences page, and what it means. */
export const TYPE_LABELS: Record<NotificationType, { label: string; hint: string }> = {
  breach: { label: "Account failed", hint: "A loss limit or the time limit was breached." },
  pause: { label: "Trading paused", hint: "The daily loss limit paused trading until the next reset." },
  phase_passed: { label: "Phase passed", hint: "Every objective of a phase was met." },
  kyc_pending: {
    label: "Funded account waiting for verification",
    hint: "A funded account is ready once your identity is verified.",
  },
  daily_loss_warning: {
    label: `Daily loss limit at ${percent("50")} / ${percent("80")}`,
    hint: "Once per threshold and trading day.",
  },
  max_loss_warning: {
    label: `Maximum loss limit at ${percent("50")} / ${percent("80")}`,
    hint: "Once per threshold and account.",
  },
};

/** The user's mail preferences, every type present (default on). */
export async function mailPreferences(sql: Sql, userId: string): Promise<MailPreferences> {
  const rows = await sql<{ type: NotificationType; email: boolean }[]>`
    select type, email from notification_preferences where user_id = ${userId}`;
  const prefs = Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, true])) as MailPreferences;
  for (const row of rows) prefs[row.type] = row.email;
  return prefs;
}

/** Stores every type's choice in one statement (types not given are stored as off: an unticked box). */
export async function saveMailPreferences(
  sql: Sql,
  userId: string,
  emailOn: ReadonlySet<NotificationType>,
): Promise<void> {
  const rows = NOTIFICATION_TYPES.map((type) => ({ type, email: emailOn.has(type) }));
  await sql`
    insert into notification_preferences (user_id, type, email)
    select ${userId}, r.type, r.email from jsonb_to_recordset(${
    sql.json(rows)
  }) as r(type text, email boolean)
    on conflict (user_id, type) do update set email = excluded.email`;
}
