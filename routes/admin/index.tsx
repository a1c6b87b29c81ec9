import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { STAFF } from "../../services/auth/roles.ts";
import { countUsersByRole } from "../../services/auth/staff.ts";
import { listAudit } from "../../services/audit_queries.ts";
import { ZoneNote } from "../../components/date_time.tsx";
import { AuditTable } from "./(_components)/audit_table.tsx";
import { workQueues } from "../../services/backoffice/work_queues.ts";
import { StatGrid, StatTile } from "../../components/stat_tile.tsx";
import { can } from "../../services/auth/roles.ts";

/** Staff only; everyone else gets a 404 (the back office does not announce itself). */
export const access = STAFF;

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(ctx.state, "Back office", "PropTrade Pro back office.");
    const { db } = ctx.state.deps;
    const user = ctx.state.user;
    const [queues, roles, audit] = await Promise.all([
      workQueues(db),
      countUsersByRole(db),
      can(user, "audit.read") ? listAudit(db.sql, { limit: 10 }).then((r) => r.items) : Promise.resolve(null),
    ]);
    const links = {
      orders: can(user, "orders.read"),
      monitor: can(user, "accounts.read_any"),
      audit: can(user, "audit.read"),
    };
    return page({ queues, roles, audit, links, timeZone: user.timeZone });
  },
}, { access });

/** A tile that leads to the queue it counts (a plain tile when the viewer may not open the queue). */
function QueueTile(props: { label: string; n: number; href: string | null; sub?: string }) {
  return (
    <StatTile label={props.label} sub={props.sub}>
      {props.href ? <a href={props.href} class="link">{props.n.toLocaleString("en-US")}</a> : (
        props.n.toLocaleString("en-US")
      )}
    </StatTile>
  );
}

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1 class="text-2xl font-bold tracking-tight">Overview</h1>
    <section aria-labelledby="queues-h" class="mt-6">
      <h2 id="queues-h" class="font-semibold">Waiting for the team</h2>
      <div class="mt-3">
        <StatGrid label="Queues">
          <QueueTile label="KYC to review" n={data.queues.kycToReview} href="/admin/kyc" />
          <QueueTile label="Payouts pending" n={data.queues.payoutsPending} href="/admin/payouts" />
          <QueueTile
            label="Flagged orders"
            n={data.queues.ordersFlagged}
            href={data.links.orders ? "/admin/orders?flagged=1" : null}
            sub="paid, decision outstanding"
          />
          <QueueTile
            label="Breaches, 24 h"
            n={data.queues.breachesLastDay}
            href={data.links.monitor ? "/admin/accounts" : null}
            sub={`${data.queues.accountsLive.toLocaleString("en-US")} live, ${
              data.queues.accountsPaused.toLocaleString("en-US")
            } paused`}
          />
        </StatGrid>
      </div>
    </section>
    <section aria-labelledby="users-h" class="mt-10">
      <h2 id="users-h" class="font-semibold">Users by role</h2>
      <dl class="mt-3 flex flex-wrap gap-6">
        {data.roles.map((r) => (
          <div key={r.role}>
            <dt class="text-sm text-muted">{r.role}</dt>
            <dd class="text-xl font-bold">{r.n}</dd>
          </div>
        ))}
      </dl>
    </section>
    {data.audit && (
      <section aria-labelledby="audit-h" class="mt-10">
        <h2 id="audit-h" class="font-semibold">Latest audit entries</h2>
        <ZoneNote zone={data.timeZone} class="mt-1" />
        <AuditTable items={data.audit} timeZone={data.timeZone} details={false} class="mt-3" />
        {data.links.audit && (
          <a href="/admin/audit" class="link mt-3 inline-block text-sm">The whole audit log</a>
        )}
      </section>
    )}
  </>
));
