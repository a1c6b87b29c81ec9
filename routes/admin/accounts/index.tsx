import { z } from "zod";
import { ZoneNote } from "../../../components/date_time.tsx";
import { Select } from "../../../components/form.tsx";
import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { validate } from "../../../lib/validation.ts";
import { rolesWith } from "../../../services/auth/roles.ts";
import { latestFeed, loadMonitorRows, monitoredPlans } from "../../../services/monitor/queries.ts";
import {
  compareRows,
  type FeedItem,
  matches,
  type MonitorFilter,
  type MonitorRow,
} from "../../../services/monitor/row.ts";
import RiskMonitor from "../../../islands/risk_monitor.tsx";

/** Every staff role that may read any account watches the monitor; acting on one needs more (its page). */
export const access = rolesWith("accounts.read_any");

const DEFAULT_LIMIT = 100;

const filterSchema = z.object({
  plan: z.uuid("is not a plan").or(z.literal("")).optional(),
  stage: z.enum(["1", "2", "3", "4", "5", "funded", "demo", ""]).optional(),
  status: z.enum(["active", "paused", ""]).optional(),
  below: z.string().regex(/^\d{1,3}(\.\d{1,2})?$/, "must be a percentage like 2.5").or(z.literal(""))
    .optional(),
  email: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(10).max(5000).optional(),
});

interface Data {
  rows: MonitorRow[];
  total: number;
  feed: FeedItem[];
  plans: { id: string; name: string }[];
  filter: MonitorFilter;
  form: Record<string, string>;
  limit: number;
  timeZone: string;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Risk monitor", "Every live account, closest to a loss floor first.");
    const { deps, user } = ctx.state;
    const q = validate(filterSchema, Object.fromEntries(ctx.url.searchParams));
    const filter: MonitorFilter = {
      planId: q.plan || undefined,
      stage: q.stage || undefined,
      status: q.status || undefined,
      below: q.below || undefined,
      email: q.email?.trim() || undefined,
    };
    const [rows, feed, plans] = await Promise.all([
      loadMonitorRows(deps.db.sql, { email: filter.email }),
      latestFeed(deps.db.sql, 20),
      monitoredPlans(deps.db.sql),
    ]);
    const sorted = rows.filter((r) => matches(r, filter)).sort(compareRows);
    const limit = q.limit ?? DEFAULT_LIMIT;
    return page<Data>({
      rows: sorted.slice(0, limit),
      total: sorted.length,
      feed,
      plans,
      filter,
      form: {
        plan: q.plan ?? "",
        stage: q.stage ?? "",
        status: q.status ?? "",
        below: q.below ?? "",
        email: q.email ?? "",
      },
      limit,
      timeZone: user.timeZone,
    }, { headers: { "cache-control": "no-store" } });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => (
  <>
    <div class="flex flex-wrap items-baseline justify-between gap-2">
      <h1 class="text-2xl font-bold tracking-tight">Risk monitor</h1>
      <ZoneNote zone={data.timeZone} />
    </div>
    <p class="mt-1 max-w-3xl text-sm text-muted">
      Active and paused accounts, closest to a loss floor first. “To floor” is equity minus the nearest floor
      (daily or max loss) as a share of the initial balance. The last event is the account's last trade or
      equity mark (daily resets do not count); staff actions are in the feed, with who took them.
    </p>
    <form method="get" class="mt-4 flex flex-wrap items-end gap-3" aria-label="Filter the monitor">
      <label class="grid gap-1 text-sm">
        Trader email
        <input
          type="search"
          name="email"
          value={data.form.email}
          placeholder="name@…"
          class="w-48 rounded-lg border border-line bg-surface px-3 py-2"
        />
      </label>
      <Select
        name="plan"
        label="Plan"
        value={data.form.plan}
        options={[
          { value: "", label: "Any plan" },
          ...data.plans.map((p) => ({ value: p.id, label: p.name })),
        ]}
      />
      <Select
        name="stage"
        label="Phase"
        value={data.form.stage}
        options={[
          { value: "", label: "Any phase" },
          { value: "1", label: "Phase 1" },
          { value: "2", label: "Phase 2" },
          { value: "funded", label: "Funded" },
          { value: "demo", label: "Demo" },
        ]}
      />
      <Select
        name="status"
        label="Status"
        value={data.form.status}
        options={[
          { value: "", label: "Active or paused" },
          { value: "active", label: "Active" },
          { value: "paused", label: "Paused" },
        ]}
      />
      <label class="grid gap-1 text-sm">
        To floor at most (%)
        <input
          name="below"
          inputMode="decimal"
          value={data.form.below}
          placeholder="e.g. 2.5"
          class="w-32 rounded-lg border border-line bg-surface px-3 py-2"
        />
      </label>
      <button type="submit" class="btn-primary">Filter</button>
      <a class="link text-sm" href="/admin/accounts">Clear</a>
    </form>
    <div class="mt-6">
      <RiskMonitor
        rows={data.rows}
        feed={data.feed}
        filter={data.filter}
        limit={data.limit}
        total={data.total}
        timeZone={data.timeZone}
      />
    </div>
  </>
));
