import { define, setMeta } from "../../_define.ts";
import { page } from "../../../lib/define.ts";
import { BadRequest, type HttpError } from "../../../lib/errors.ts";
import { validate } from "../../../lib/validation.ts";
import { ROLES, rolesWith } from "../../../services/auth/roles.ts";
import {
  KYC_STATUSES,
  listUsers,
  USER_SORTS,
  USER_STATUSES,
  type UserListItem,
  userListQuery,
} from "../../../services/users/list.ts";
import { DateTime, ZoneNote } from "../../../components/date_time.tsx";
import { FormError, Select } from "../../../components/form.tsx";
import { KYC_STATUS, MappedBadge, ROLE_LABEL, USER_STATUS } from "../../../components/user_badges.tsx";
import { ScrollRegion } from "../../../components/scroll_region.tsx";

/** Every staff role with users.read finds users here; acting on one is on the user's page. */
export const access = rolesWith("users.read");

const FILTERS = ["q", "role", "status", "kyc", "funded", "sort"] as const;
type Filter = Record<(typeof FILTERS)[number], string>;

interface Data {
  filter: Filter;
  items: UserListItem[];
  nextCursor: string | null;
  paged: boolean;
  timeZone: string;
  error: string | null;
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    setMeta(ctx.state, "Users", "Find traders and staff.");
    const params = Object.fromEntries(ctx.url.searchParams);
    // An empty select or search box means "any": drop it before validating.
    for (const [k, v] of Object.entries(params)) if (v === "") delete params[k];
    const filter = Object.fromEntries(FILTERS.map((k) => [k, params[k] ?? ""])) as Filter;
    const base = { filter, paged: !!params.cursor, timeZone: ctx.state.user.timeZone };
    try {
      const list = await listUsers(ctx.state.deps.db.sql, validate(userListQuery, params));
      return page<Data>({ ...base, ...list, error: null }, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (!(error instanceof BadRequest) && (error as HttpError).status !== 422) throw error;
      const e = error as HttpError;
      const fields = Object.entries(e.fields ?? {}).map(([k, v]) => `${k === "q" ? "Search" : k} ${v}.`);
      return page<Data>(
        { ...base, items: [], nextCursor: null, error: fields.join(" ") || e.message },
        { status: e.status, headers: { "cache-control": "no-store" } },
      );
    }
  },
}, { access });

function options(values: readonly string[], label: (v: string) => string, any = "Any") {
  return [{ value: "", label: any }, ...values.map((v) => ({ value: v, label: label(v) }))];
}

const SORT_LABEL: Record<string, string> = { created: "Newest first", email: "Email A–Z", name: "Name A–Z" };

export default define.page<typeof handler>(({ data }) => {
  const f = data.filter;
  const query = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) p.set(k, v);
    return `/admin/users?${p}`;
  };
  return (
    <>
      <div class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-2xl font-bold tracking-tight">Users</h1>
        <a class="link text-sm" href="/admin/audit">Audit log</a>
      </div>
      <form
        method="get"
        action="/admin/users"
        role="search"
        class="card mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-6"
      >
        <div class="sm:col-span-2 lg:col-span-2">
          <label for="q" class="block text-sm font-medium">Email or name</label>
          <input
            id="q"
            name="q"
            type="search"
            value={f.q}
            maxLength={100}
            placeholder="e.g. ada@ or Lovelace"
            class="mt-1.5 block w-full rounded-lg border border-line bg-surface px-3 py-2.5 text-base"
          />
        </div>
        <Select name="role" label="Role" value={f.role} options={options(ROLES, (r) => ROLE_LABEL[r])} />
        <Select
          name="status"
          label="Status"
          value={f.status}
          options={options(USER_STATUSES, (s) => USER_STATUS[s].label)}
        />
        <Select
          name="kyc"
          label="KYC"
          value={f.kyc}
          options={options(KYC_STATUSES, (s) => KYC_STATUS[s].label)}
        />
        <Select
          name="funded"
          label="Funded account"
          value={f.funded}
          options={options(["yes", "no"], (v) => v === "yes" ? "Has one" : "None")}
        />
        <Select
          name="sort"
          label="Order"
          value={f.sort}
          options={USER_SORTS.map((s) => ({ value: s === "created" ? "" : s, label: SORT_LABEL[s] }))}
        />
        <div class="flex items-end gap-3 sm:col-span-2 lg:col-span-5">
          <button type="submit" class="btn-primary">Search</button>
          <a class="link text-sm" href="/admin/users">Clear</a>
        </div>
      </form>
      <ZoneNote zone={data.timeZone} class="mt-4" />
      {data.error && (
        <div class="mt-4">
          <FormError>{data.error}</FormError>
        </div>
      )}
      {!data.error && data.items.length === 0
        ? (
          <div class="card mt-4">
            <p class="font-semibold">No users match.</p>
            <p class="mt-1 text-sm text-muted">
              Try fewer letters or another filter, or <a class="link" href="/admin/users">show everyone</a>.
            </p>
          </div>
        )
        : data.items.length > 0 && (
          <ScrollRegion label="Users" class="mt-4 rounded-xl border border-line">
            <table class="w-full min-w-[52rem] text-left text-sm">
              <caption class="sr-only">Users, {SORT_LABEL[f.sort || "created"]}</caption>
              <thead class="bg-raised">
                <tr>
                  <th scope="col" class="p-3">User</th>
                  <th scope="col" class="p-3">Role</th>
                  <th scope="col" class="p-3">Status</th>
                  <th scope="col" class="p-3">KYC</th>
                  <th scope="col" class="p-3">Funded</th>
                  <th scope="col" class="p-3 text-right">Accounts</th>
                  <th scope="col" class="p-3">Signed up</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((u) => (
                  <tr key={u.id} class="border-t border-line">
                    <td class="p-3">
                      <a class="link font-semibold" href={`/admin/users/${u.id}`}>
                        {`${u.firstName} ${u.lastName}`.trim() || u.email}
                      </a>
                      <br />
                      <span class="text-muted">{u.email}</span>
                    </td>
                    <td class="p-3">{ROLE_LABEL[u.role]}</td>
                    <td class="p-3">
                      <MappedBadge map={USER_STATUS} value={u.status} />
                    </td>
                    <td class="p-3">
                      <MappedBadge map={KYC_STATUS} value={u.kycStatus} />
                    </td>
                    <td class="p-3">{u.hasFunded ? "Yes" : "No"}</td>
                    <td class="p-3 text-right tabular-nums">{u.accounts}</td>
                    <td class="p-3 whitespace-nowrap tabular-nums">
                      <DateTime at={u.createdAt} zone={data.timeZone} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      <nav aria-label="Pages" class="mt-4 flex gap-6 text-sm">
        {data.paged && <a class="link" href={query({})}>First page</a>}
        {data.nextCursor && <a class="link" href={query({ cursor: data.nextCursor })}>Next page</a>}
      </nav>
    </>
  );
});
