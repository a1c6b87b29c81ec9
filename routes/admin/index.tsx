import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { STAFF } from "../../services/auth/roles.ts";
import { countUsersByRole } from "../../services/auth/staff.ts";
import { latestAuditEntries } from "../../services/audit.ts";
import { DateTime, ZoneNote } from "../../components/date_time.tsx";

/** Staff only; everyone else gets a 404 (the back office does not announce itself). */
export const access = STAFF;

export const handler = define.handlers({
  async GET(ctx) {
    setMeta(ctx.state, "Back office", "PropTrade Pro back office.");
    const { db } = ctx.state.deps;
    const roles = await countUsersByRole(db);
    const audit = await latestAuditEntries(db, 25);
    return page({ roles, audit, timeZone: ctx.state.user.timeZone });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <>
    <h1 class="text-2xl font-bold tracking-tight">Overview</h1>
    <section aria-labelledby="users-h" class="mt-6">
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
    <section aria-labelledby="audit-h" class="mt-10">
      <h2 id="audit-h" class="font-semibold">Latest audit entries</h2>
      <ZoneNote zone={data.timeZone} class="mt-1" />
      <div class="mt-3 overflow-x-auto rounded-xl border border-line">
        <table class="w-full text-left text-sm">
          <thead class="bg-raised">
            <tr>
              <th scope="col" class="p-2">When</th>
              <th scope="col" class="p-2">Action</th>
              <th scope="col" class="p-2">Actor</th>
              <th scope="col" class="p-2">Target</th>
              <th scope="col" class="p-2">IP</th>
            </tr>
          </thead>
          <tbody>
            {data.audit.map((a, i) => (
              <tr key={i} class="border-t border-line">
                <td class="p-2 whitespace-nowrap tabular-nums">
                  <DateTime at={a.at} zone={data.timeZone} />
                </td>
                <td class="p-2">{a.action}</td>
                <td class="p-2">{a.actor ?? "—"}</td>
                <td class="p-2">{a.target || "—"}</td>
                <td class="p-2">{a.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  </>
));
