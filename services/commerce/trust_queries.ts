/**
 * The figures the public pages may boast of, computed from the database and nothing else: how many traders
 * got a funded account, how much was paid out, which plan sells best. A page shows a figure only when it
 * is real (non-zero); an empty database shows none — never a placeholder or an invented count.
 *
 * The seeded demo users (`…@demo.proptrade.test`, services/demo/seed.ts) are left out: their accounts and
 * orders are made up, so they must not inflate what visitors are told.
 */
import type { Db, Sql } from "../../db/client.ts";

/** The domain of the demo seed's users; `.test` is reserved, so no real user can have it. */
const DEMO_EMAIL_PATTERN = "%@demo.proptrade.test";

const sqlOf = (db: Db | Sql): Sql => (typeof db === "function" ? db : db.sql);

export interface TrustFigures {
  /** Traders (distinct users, demo users aside) who were given at least one funded account. */
  tradersFunded: number;
  /** What traders received from paid payouts (their share, not the gross), per currency, largest first. */
  paidOut: { currency: string; amount: string }[];
}

export async function trustFigures(db: Db | Sql): Promise<TrustFigures> {
  const sql = sqlOf(db);
  const [funded, paid] = await Promise.all([
    sql<{ n: number }[]>`
      select count(distinct a.user_id)::int as n
      from accounts a join users u on u.id = a.user_id
      where a.type = 'funded' and lower(u.email) not like ${DEMO_EMAIL_PATTERN}`,
    sql<{ currency: string; amount: string }[]>`
      select p.currency, sum(p.trader_share)::text as amount
      from payouts p join users u on u.id = p.user_id
      where p.status = 'paid' and lower(u.email) not like ${DEMO_EMAIL_PATTERN}
      group by p.currency
      order by sum(p.trader_share) desc, p.currency`,
  ]);
  return { tradersFunded: funded[0].n, paidOut: paid.map(({ currency, amount }) => ({ currency, amount })) };
}

/**
 * The plan /challenges marks "most popular". Staff choose it in the back office (`plans.featured`); while
 * the chosen plan is on sale, the choice wins. Otherwise it is the plan bought most often (orders paid and
 * not refunded, demo users aside), or null when nothing was sold or the top is a tie — the mark must be true
 * of one plan, not a pick among equals.
 */
export async function mostPopularPlanId(db: Db | Sql): Promise<string | null> {
  const [chosen] = await sqlOf(db)<{ id: string }[]>`select id from plans where featured and active`;
  if (chosen) return chosen.id;
  const rows = await sqlOf(db)<{ planId: string; n: number }[]>`
    select v.plan_id as "planId", count(*)::int as n
    from orders o
    join plan_versions v on v.id = o.plan_version_id
    join users u on u.id = o.user_id
    where o.status = 'paid' and lower(u.email) not like ${DEMO_EMAIL_PATTERN}
    group by v.plan_id
    order by n desc, v.plan_id
    limit 2`;
  if (rows.length === 0) return null;
  if (rows.length === 2 && rows[1].n === rows[0].n) return null;
  return rows[0].planId;
}
