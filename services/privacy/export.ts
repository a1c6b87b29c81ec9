/**
 * A trader's data export (GDPR art. 15 access, art. 20 portability): everything we hold about one user as one
 * JSON document, streamed page by page (services/privacy/json_stream.ts) so a trader with a million trades
 * costs the server one page of memory. Every query is scoped to `userId` — the caller passes the signed-in
 * user's own id, never one from the request.
 *
 * Not included: password hash, 2FA secret and recovery-code hashes (secrets, not information about the
 * person; the export says whether 2FA is on), staff identities on decisions, and the bytes of identity
 * documents — the export lists each document's kind, type, size, name and dates. A signed link would expire
 * long before a saved export is read, and copying passport scans into a file that is mailed and backed up
 * around widens who can see them; a copy of a document is given on request to the privacy address instead.
 */
import type { Sql } from "../../db/client.ts";
import { accountColumns, type AccountRow, summaryOf } from "../accounts/summary.ts";
import { platformOf } from "../accounts/trade_platform.ts";
import type { TradeSource } from "../accounts/trade_source.ts";
import { jsonObjectStream, type Member, pages } from "./json_stream.ts";
import { OPTIONAL_ACCOUNT_TABLES, optionalTables } from "./optional_tables.ts";

/** Rows per database page. */
const PAGE = 1_000;

/** The export's format name; bump the number when a member changes shape. */
export const EXPORT_FORMAT = "proptrade-pro-export/1";

/** `proptrade-data-2026-12-06.json`: the download's file name. */
export function exportFileName(now: Date): string {
  return `proptrade-data-${now.toISOString().slice(0, 10)}.json`;
}

/** The user's whole export as a stream of UTF-8 JSON. */
export async function exportUserData(
  sql: Sql,
  userId: string,
  now: Date,
): Promise<ReadableStream<Uint8Array>> {
  const present = await optionalTables(sql);
  // The user's accounts are few (each is bought); read once and reused by the per-account members.
  let accountIds: Promise<string[]> | null = null;
  const accounts = () =>
    accountIds ??= sql<{ id: string }[]>`
      select id from accounts where user_id = ${userId} order by created_at, id`.then((r) =>
      r.map((a) => a.id)
    );
  const perAccount = <T extends Record<string, unknown>>(
    fetch: (accountId: string, after: T | null) => Promise<readonly T[]>,
  ) =>
    async function* () {
      for (const id of await accounts()) yield* pages<T>((after) => fetch(id, after), PAGE);
    };

  const members: Member[] = [
    {
      name: "export",
      value: () => ({
        format: EXPORT_FORMAT,
        exportedAt: now.toISOString(),
        notes:
          "Money is decimal strings, instants ISO-8601 UTC. Identity documents are listed, not included: " +
          "ask the privacy address for a copy.",
      }),
    },
    { name: "profile", value: () => profile(sql, userId) },
    {
      name: "sessions",
      items: () =>
        pages<{ _at: string; id: string }>((after) =>
          sql`
          select id, created_at::text as _at, created_at as "createdAt", last_seen_at as "lastSeenAt", expires_at as "expiresAt",
                 revoked_at as "revokedAt", revoked_reason as "revokedReason", ip, user_agent as "userAgent"
          from auth_sessions where user_id = ${userId}
            ${
            after ? sql`and (created_at, id) > (${after._at}::text::timestamptz, ${after.id}::uuid)` : sql``
          }
          order by created_at, id limit ${PAGE}`, PAGE),
    },
    { name: "orders", value: () => orders(sql, userId, present.has("refunds")) },
    {
      name: "challenges",
      value: () =>
        sql`
        select id, order_id as "orderId", plan_version_id as "planVersionId", status, current_phase as "currentPhase",
               started_at as "startedAt", ended_at as "endedAt", created_at as "createdAt"
        from challenges where user_id = ${userId} order by created_at, id`,
    },
    { name: "accounts", value: () => accountsOf(sql, userId) },
    {
      name: "trades",
      items: perAccount<{ _at: string; id: string }>((accountId, after) =>
        sql`
        select id, opened_at::text as _at, account_id as "accountId", external_id as "externalId", symbol, direction, volume,
               entry_price as "entryPrice", exit_price as "exitPrice", pnl, status, opened_at as "openedAt",
               closed_at as "closedAt", opened_while_blocked as "openedWhileBlocked"
        from trades where account_id = ${accountId}
          ${after ? sql`and (opened_at, id) > (${after._at}::text::timestamptz, ${after.id}::uuid)` : sql``}
        order by opened_at, id limit ${PAGE}`
      ),
    },
    {
      name: "accountEvents",
      items: perAccount<{ _at: string; eventId: string }>((accountId, after) =>
        sql`
        select at::text as _at, account_id as "accountId", event_id as "eventId", type, at, payload, state_version as "stateVersion",
               received_at as "receivedAt"
        from account_events where account_id = ${accountId}
          ${after ? sql`and (at, event_id) > (${after._at}::text::timestamptz, ${after.eventId})` : sql``}
        order by at, event_id limit ${PAGE}`
      ),
    },
    {
      name: "breaches",
      items: perAccount<{ _at: string; id: string }>((accountId, after) =>
        sql`
        select id, at::text as _at, account_id as "accountId", rule, action, at, inputs_hash as "inputsHash", evidence
        from breaches where account_id = ${accountId}
          ${after ? sql`and (at, id) > (${after._at}::text::timestamptz, ${after.id}::uuid)` : sql``}
        order by at, id limit ${PAGE}`
      ),
    },
    ...OPTIONAL_ACCOUNT_TABLES.filter((table) => present.has(table)).map((table): Member => ({
      name: table,
      items: async function* () {
        const rows = perAccount<{ _k: string; row: unknown }>((accountId, after) =>
          sql`
          select ctid::text as _k, to_jsonb(t) as row from ${sql(table)} t
          where account_id = ${accountId} and ctid > ${after?._k ?? "(0,0)"}::tid
          order by ctid limit ${PAGE}`
        );
        for await (const item of rows()) yield item.row;
      },
    })),
    { name: "payouts", value: () => payouts(sql, userId) },
    { name: "kyc", value: () => kyc(sql, userId) },
    { name: "notificationPreferences", value: () => preferences(sql, userId) },
    {
      name: "notifications",
      items: () =>
        pages<{ _at: string; id: string }>((after) =>
          sql`
          select id, created_at::text as _at, type, account_id as "accountId", title, body, created_at as "createdAt", read_at as "readAt",
                 mail_state as "mailState"
          from notifications where user_id = ${userId}
            ${
            after ? sql`and (created_at, id) > (${after._at}::text::timestamptz, ${after.id}::uuid)` : sql``
          }
          order by created_at, id limit ${PAGE}`, PAGE),
    },
    {
      name: "auditLog",
      items: () =>
        pages<{ id: string }>((after) =>
          sql`
          select id::text, at, action,
                 case when actor_id = ${userId} then 'you' when actor_id is null then 'system' else 'staff' end
                   as actor,
                 target_type as "targetType", target_id as "targetId", ip, user_agent as "userAgent", details
          from audit_log
          where (actor_id = ${userId} or (target_type = 'user' and target_id = ${userId}::text))
            and id > ${after?.id ?? "0"}::bigint
          order by id limit ${PAGE}`, PAGE),
    },
  ];
  return jsonObjectStream(members);
}

async function profile(sql: Sql, userId: string) {
  const [row] = await sql`
    select u.id, u.email, u.first_name as "firstName", u.last_name as "lastName", u.country,
           u.time_zone as "timeZone", u.role, u.status, u.email_verified_at as "emailVerifiedAt",
           u.password_changed_at as "passwordChangedAt", u.created_at as "createdAt", u.updated_at as "updatedAt",
           exists (select 1 from user_totp t where t.user_id = u.id and t.enabled_at is not null)
             as "twoFactorEnabled",
           (select count(*)::int from recovery_codes r where r.user_id = u.id and r.used_at is null)
             as "recoveryCodesLeft"
    from users u where u.id = ${userId}`;
  return row ?? null;
}

async function orders(sql: Sql, userId: string, withRefunds: boolean) {
  const rows = await sql`
    select o.id, p.name as plan, pv.version as "planVersion", o.currency, o.list_price as "listPrice",
           o.discount, o.amount, c.code as coupon, o.status, o.provider, o.provider_ref as "providerReference",
           o.paid_at as "paidAt", o.created_at as "createdAt"
    from orders o join plan_versions pv on pv.id = o.plan_version_id join plans p on p.id = pv.plan_id
    left join coupons c on c.id = o.coupon_id
    where o.user_id = ${userId} order by o.created_at, o.id`;
  if (!withRefunds) return rows;
  const refunds = await sql<{ order_id: string; row: unknown }[]>`
    select r.order_id, to_jsonb(r) as row from refunds r join orders o on o.id = r.order_id
    where o.user_id = ${userId}`;
  return rows.map((o) => ({ ...o, refunds: refunds.filter((r) => r.order_id === o.id).map((r) => r.row) }));
}

/**
 * Each account: its engine summary, and who trades it — `tradeSource` (venue, connector, null before the first
 * trade) and `tradePlatform` ({name, version} as its connector named it, or null), as the account APIs say.
 */
async function accountsOf(sql: Sql, userId: string) {
  const rows = await sql<
    (AccountRow & {
      created_at: Date;
      plan_version_id: string | null;
      engine_state: unknown;
      trade_source: TradeSource | null;
      trade_platform: string | null;
      trade_platform_version: string | null;
    })[]
  >`
    select ${accountColumns(sql)}, created_at, plan_version_id, engine_state, trade_source, trade_platform,
           trade_platform_version
    from accounts where user_id = ${userId} order by created_at, id`;
  return rows.map((row) => ({
    ...summaryOf(row),
    planVersionId: row.plan_version_id,
    createdAt: row.created_at,
    engineState: row.engine_state,
    tradeSource: row.trade_source,
    tradePlatform: platformOf(row),
  }));
}

async function payouts(sql: Sql, userId: string) {
  return await sql`
    select id, account_id as "accountId", amount, trader_share as "traderShare", split_percent as "splitPercent",
           currency, status, requested_at as "requestedAt", approved_at as "approvedAt", paid_at as "paidAt",
           rejected_at as "rejectedAt", processed_at as "processedAt", reason, reference
    from payouts where user_id = ${userId} order by requested_at, id`;
}

async function kyc(sql: Sql, userId: string) {
  const submissions = await sql`
    select id, status, submitted_at as "submittedAt", decided_at as "decidedAt", reason
    from kyc_submissions where user_id = ${userId} order by submitted_at, id`;
  const documents = await sql`
    select id, submission_id as "submissionId", kind, content_type as "contentType", size_bytes as "sizeBytes",
           file_name as "fileName", created_at as "createdAt"
    from kyc_documents where user_id = ${userId} order by created_at, id`;
  return { submissions, documents };
}

async function preferences(sql: Sql, userId: string) {
  return await sql`
    select type, email from notification_preferences where user_id = ${userId} order by type`;
}
