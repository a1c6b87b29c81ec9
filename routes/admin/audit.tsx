import { define, setMeta } from "../_define.ts";
import { page } from "../../lib/define.ts";
import { BadRequest, type HttpError } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import { rolesWith } from "../../services/auth/roles.ts";
import { auditFilterOf, auditQuery, type AuditRow, listAudit } from "../../services/audit_queries.ts";
import { ZoneNote } from "../../components/date_time.tsx";
import { AuditTable } from "./(_components)/audit_table.tsx";
import { FormError } from "../../components/form.tsx";

/** The audit log: risk and admin read it (audit.read). */
export const access = rolesWith("audit.read");

const FIELDS = ["actor", "action", "targetType", "targetId", "from", "to"] as const;
type Filter = Record<(typeof FIELDS)[number], string>;

interface Data {
  filter: Filter;
  items: AuditRow[];
  next: string | null;
  paged: boolean;
  timeZone: string;
  error: string | null;
}

const LABEL: Record<string, string> = {
  actor: "Actor",
  action: "Action",
  targetType: "Target type",
  targetId: "Target id",
  from: "From",
  to: "To",
};

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Audit log", "Who did what, when.");
    const params = Object.fromEntries(ctx.url.searchParams);
    for (const [k, v] of Object.entries(params)) if (v === "") delete params[k];
    const filter = Object.fromEntries(FIELDS.map((k) => [k, params[k] ?? ""])) as Filter;
    const timeZone = ctx.state.user.timeZone;
    const base = { filter, paged: !!params.cursor, timeZone };
    try {
      const q = validate(auditQuery, params);
      const list = await listAudit(ctx.state.deps.db.sql, auditFilterOf(q, timeZone));
      return page<Data>({ ...base, ...list, error: null }, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (!(error instanceof BadRequest) && (error as HttpError).status !== 422) throw error;
      const e = error as HttpError;
      const fields = Object.entries(e.fields ?? {}).map(([k, v]) => `${LABEL[k] ?? k} ${v}.`);
      return page<Data>(
        { ...base, items: [], next: null, error: fields.join(" ") || e.message },
        { status: e.status, headers: { "cache-control": "no-store" } },
      );
    }
  },
}, { access });

const INPUT = "mt-1.5 block w-full rounded-lg border border-line bg-surface px-3 py-2.5 text-base";

function Input(props: { name: keyof Filter; value: string; type?: string; placeholder?: string }) {
  return (
    <div>
      <label for={`f-${props.name}`} class="block text-sm font-medium">{LABEL[props.name]}</label>
      <input
        id={`f-${props.name}`}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        placeholder={props.placeholder}
        class={INPUT}
      />
    </div>
  );
}

export default define.page<typeof handler>(({ data }) => {
  const params = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...data.filter, ...extra })) if (v) p.set(k, v);
    return p;
  };
  return (
    <>
      <div class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-2xl font-bold tracking-tight">Audit log</h1>
        <a class="link text-sm" href={`/api/admin/audit?${params({ format: "csv" })}`} download="audit.csv">
          Download CSV of these entries
        </a>
      </div>
      <form method="get" action="/admin/audit" class="card mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <Input name="actor" value={data.filter.actor} placeholder="email, e.g. admin@…" />
        <Input name="action" value={data.filter.action} placeholder="admin.user_suspended, or auth." />
        <div class="grid grid-cols-2 gap-3">
          <Input name="targetType" value={data.filter.targetType} placeholder="user" />
          <Input name="targetId" value={data.filter.targetId} />
        </div>
        <Input name="from" type="date" value={data.filter.from} />
        <Input name="to" type="date" value={data.filter.to} />
        <div class="flex items-end gap-3">
          <button type="submit" class="btn-primary">Filter</button>
          <a class="link text-sm" href="/admin/audit">Clear</a>
        </div>
      </form>
      <ZoneNote zone={data.timeZone} class="mt-4" />
      {data.error && (
        <div class="mt-4">
          <FormError>{data.error}</FormError>
        </div>
      )}
      {!data.error && data.items.length === 0 && (
        <div class="card mt-4">
          <p class="font-semibold">No entries match.</p>
          <p class="mt-1 text-sm text-muted">Widen the dates or clear a filter.</p>
        </div>
      )}
      {data.items.length > 0 && <AuditTable items={data.items} timeZone={data.timeZone} class="mt-4" />}
      <nav aria-label="Pages" class="mt-4 flex gap-6 text-sm">
        {data.paged && <a class="link" href={`/admin/audit?${params({})}`}>Newest entries</a>}
        {data.next && (
          <a class="link" href={`/admin/audit?${params({ cursor: data.next })}`}>Older entries</a>
        )}
      </nav>
    </>
  );
});
