/**
 * What staff see about an account beyond the trader's own page: whose it is, the plan version it was sold
 * under, and the staff actions taken on it (from the audit log). Callers check `accounts.read_any`.
 */
import type { Sql } from "../../db/client.ts";
import type { TradeSource } from "../venue/trade_json.ts";
import { platformOf, type TradePlatform } from "../accounts/trade_platform.ts";

export interface StaffAccountFacts {
  owner: { id: string; email: string; name: string; status: string; timeZone: string };
  plan: { id: string; name: string; version: number; versionId: string } | null;
  /** Who trades it (services/accounts/trade_source.ts) and, for a connector, the platform it named. */
  tradeSource: TradeSource | null;
  tradePlatform: TradePlatform | null;
  /** Staff actions on the account, newest first. */
  actions: { at: string; action: string; actor: string | null; reason: string | null }[];
}

export async function staffAccountFacts(sql: Sql, accountId: string): Promise<StaffAccountFacts | null> {
  const [row] = await sql<
    {
      user_id: string;
      email: string;
      first_name: string;
      last_name: string;
      user_status: string;
      time_zone: string;
      plan_id: string | null;
      plan_name: string | null;
      version: number | null;
      version_id: string | null;
      trade_source: TradeSource | null;
      trade_platform: string | null;
      trade_platform_version: string | null;
    }[]
  >`
    select u.id as user_id, u.email, u.first_name, u.last_name, u.status as user_status, u.time_zone,
           p.id as plan_id, p.name as plan_name, v.version, v.id as version_id,
           a.trade_source, a.trade_platform, a.trade_platform_version
    from accounts a
    join users u on u.id = a.user_id
    left join plan_versions v on v.id = a.plan_version_id
    left join plans p on p.id = v.plan_id
    where a.id = ${accountId}`;
  if (!row) return null;
  const actions = await sql<{ at: Date; action: string; actor: string | null; reason: string | null }[]>`
    select l.at, l.action, u.email as actor, l.details ->> 'reason' as reason
    from audit_log l left join users u on u.id = l.actor_id
    where l.target_type = 'account' and l.target_id = ${accountId} and l.action like 'admin.%'
    order by l.at desc, l.id desc limit 50`;
  return {
    owner: {
      id: row.user_id,
      email: row.email,
      name: `${row.first_name} ${row.last_name}`.trim(),
      status: row.user_status,
      timeZone: row.time_zone,
    },
    plan: row.plan_id && row.version_id
      ? { id: row.plan_id, name: row.plan_name!, version: row.version!, versionId: row.version_id }
      : null,
    tradeSource: row.trade_source,
    tradePlatform: platformOf(row),
    actions: actions.map((a) => ({ ...a, at: a.at.toISOString() })),
  };
}
