/**
 * Reading the audit log (the back office's viewer, its CSV and a user's trail on their page). Writing stays in
 * services/audit.ts. Newest first by (at, id) — entries of one transaction share `at`, the id breaks the tie —
 * with keyset pages, so a page never shifts while entries are being added above it.
 */
import { z } from "zod";
import type { Sql } from "../db/client.ts";
import { CURSOR_PART, decodeCursor, encodeCursor } from "./users/cursor.ts";
import { csvLine } from "./trading/history_csv.ts";
import { localMidnight } from "./trading/filters.ts";
import { isCalendarDay } from "./time.ts";

/** One audit entry as the viewer shows it (actor and target resolved to an email where they are users). */
export interface AuditRow {
  id: string;
  at: string;
  action: string;
  actorId: string | null;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  /** The target user's email when the target is a user. */
  targetEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  actorId?: string;
  /** The actor's email, exactly (case-insensitive). */
  actorEmail?: string;
  /** An action (`admin.user_suspended`), or a prefix ending in `.` (`auth.`) for a family of actions. */
  action?: string;
  targetType?: string;
  targetId?: string;
  /** Everything about one user: entries where they acted, or where they were the target (type "user"). */
  userId?: string;
  /** Inclusive lower bound. */
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  cursor?: string;
  /** Page size, 1–1000 (default 50). */
  limit?: number;
}

/**
 * A calendar day the zone arithmetic can read: "2026-13-45" has the shape yet is no date (reading it threw a
 * RangeError, a 500), and a `to` of 9999-12-31 has no next day in this form.
 */
const day = z.string().refine(isCalendarDay, "is a date like 2026-12-06");

/** The viewer's filters as they arrive in a query string (dates are read in the viewer's zone by the caller). */
export const auditQuery = z.object({
  actor: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).regex(/^[a-z0-9_.]*$/, "is an action name like admin.user_suspended")
    .optional(),
  targetType: z.string().trim().max(50).optional(),
  targetId: z.string().trim().max(100).optional(),
  from: day.or(z.literal("")).optional(),
  to: day.or(z.literal("")).optional(),
  cursor: z.string().max(200).optional(),
});

/**
 * The filter a viewer's query means: `actor` is an email (or a user id), `from`/`to` whole days in the
 * viewer's `timeZone`, both inclusive.
 */
export function auditFilterOf(q: z.infer<typeof auditQuery>, timeZone: string): AuditFilter {
  const actor = q.actor || undefined;
  const isId = !!actor && CURSOR_PART.uuid.test(actor);
  return {
    actorEmail: actor && !isId ? actor : undefined,
    actorId: isId ? actor : undefined,
    action: q.action || undefined,
    targetType: q.targetType || undefined,
    targetId: q.targetId || undefined,
    from: q.from ? new Date(localMidnight(q.from, timeZone)) : undefined,
    to: q.to ? new Date(localMidnight(nextDay(q.to), timeZone)) : undefined,
    cursor: q.cursor,
  };
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

interface Row {
  id: string;
  at: Date;
  at_key: string;
  action: string;
  actor_id: string | null;
  actor_email: string | null;
  target_type: string | null;
  target_id: string | null;
  target_email: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

const PARTS = [CURSOR_PART.at, CURSOR_PART.int];

/** A page of audit entries matching `filter`, newest first, and the cursor of the next page (null at the end). */
export async function listAudit(
  sql: Sql,
  filter: AuditFilter,
): Promise<{ items: AuditRow[]; next: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 1000);
  const after = filter.cursor ? decodeCursor(filter.cursor, PARTS) : null;
  const action = filter.action
    ? filter.action.endsWith(".")
      ? sql`and a.action like ${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`) + "%"}`
      : sql`and a.action = ${filter.action}`
    : sql``;
  const rows = await sql<Row[]>`
    select a.id::text as id, a.at, a.at::text as at_key, a.action, a.actor_id, actor.email as actor_email,
           a.target_type, a.target_id, target.email as target_email, a.ip, a.user_agent, a.details
    from audit_log a
    left join users actor on actor.id = a.actor_id
    -- Only a well-formed id is cast (a target id is free text); the join then probes the primary key.
    left join users target on a.target_type = 'user' and target.id = case
      when a.target_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      then a.target_id::uuid end
    where true ${action}
      ${filter.actorId ? sql`and a.actor_id = ${filter.actorId}` : sql``}
      ${
    filter.actorEmail
      ? sql`and a.actor_id = (select u.id from users u where lower(u.email) = lower(${filter.actorEmail}))`
      : sql``
  }
      ${filter.targetType ? sql`and a.target_type = ${filter.targetType}` : sql``}
      ${filter.targetId ? sql`and a.target_id = ${filter.targetId}` : sql``}
      ${
    filter.userId
      ? sql`and (a.actor_id = ${filter.userId}
                 or (a.target_type = 'user' and a.target_id = ${filter.userId}::text))`
      : sql``
  }
      ${filter.from ? sql`and a.at >= ${filter.from}` : sql``}
      ${filter.to ? sql`and a.at < ${filter.to}` : sql``}
      ${after ? sql`and (a.at, a.id) < (${after[0]}::timestamptz, ${after[1]}::bigint)` : sql``}
    order by a.at desc, a.id desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page.at(-1)! : null;
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      action: r.action,
      actorId: r.actor_id,
      actorEmail: r.actor_email,
      targetType: r.target_type,
      targetId: r.target_id,
      targetEmail: r.target_email,
      ip: r.ip,
      userAgent: r.user_agent,
      details: r.details ?? {},
    })),
    next: last ? encodeCursor([last.at_key, last.id]) : null,
  };
}

const CSV_HEADER = [
  "id",
  "at",
  "action",
  "actor_email",
  "actor_id",
  "target_type",
  "target_id",
  "target_email",
  "ip",
  "user_agent",
  "details",
];

/**
 * Every entry matching `filter` as CSV (RFC 4180, formula-guarded by the trade history's `csvLine`), read
 * page by page so a large log never sits in memory.
 */
export function auditCsv(
  sql: Sql,
  filter: Omit<AuditFilter, "cursor" | "limit">,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvLine(CSV_HEADER)));
        return;
      }
      const page = await listAudit(sql, { ...filter, cursor, limit: 1000 });
      const text = page.items.map((r) =>
        csvLine([
          r.id,
          r.at,
          r.action,
          r.actorEmail,
          r.actorId,
          r.targetType,
          r.targetId,
          r.targetEmail,
          r.ip,
          r.userAgent,
          JSON.stringify(r.details),
        ])
      ).join("");
      if (text) controller.enqueue(encoder.encode(text));
      if (!page.next) controller.close();
      else cursor = page.next;
    },
  });
}
