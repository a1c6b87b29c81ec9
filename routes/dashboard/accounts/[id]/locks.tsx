import { define, setMeta, type SignedInState } from "../../../_define.ts";
import { type Context, page } from "../../../../lib/define.ts";
import { readForm } from "../../../../lib/validation.ts";
import { FormError, Notice } from "../../../../components/form.tsx";
import { ZoneNote } from "../../../../components/date_time.tsx";
import { ownSelfLocks, updateSelfLocks } from "../../../../services/self_locks/store.ts";
import { type SelfLocksJson, selfLocksJson } from "../../../../services/self_locks/json.ts";
import {
  formValuesOf,
  parseSelfLocksForm,
  type SelfLocksFormValues,
} from "../../../../services/self_locks/form.ts";
import type { FieldErrors } from "../../../../lib/errors.ts";
import { SelfLocksForm } from "../../(_components)/self_locks.tsx";
import { LockState, TodayFigures } from "../../../../components/self_lock_state.tsx";

/** The trader's own limits on one account (DESIGN §3.5). Owner only: anyone else gets the 404 page. */
export const access = "authenticated";

const NO_STORE = { "cache-control": "no-store" };

interface Data {
  locks: SelfLocksJson;
  values: SelfLocksFormValues;
  errors: FieldErrors;
  timeZone: string;
  saved: boolean;
}

async function load(ctx: Context<SignedInState>, extra: Partial<Data> = {}): Promise<Data> {
  const { deps, user, actor } = ctx.state;
  const status = await ownSelfLocks(deps.db.sql, user.id, actor, ctx.params.id, new Date());
  setMeta(ctx.state, "Self-locks", "Limits you set on your own trading: enforced by the server.");
  const locks = selfLocksJson(status);
  return {
    locks,
    // The fields show what was last asked for (a pending loosening included): saving the form unchanged
    // must not cancel a loosening that waits for the reset.
    values: formValuesOf({ ...locks.settings, ...locks.pending?.values }),
    errors: {},
    timeZone: user.timeZone,
    saved: ctx.url.searchParams.has("saved"),
    ...extra,
  };
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return page(await load(ctx), { headers: NO_STORE });
  },

  /** Empty fields turn a lock off; bad values come back inline with what was typed. */
  async POST(ctx) {
    const { deps, user, actor } = ctx.state;
    const parsed = parseSelfLocksForm(await readForm(ctx.req));
    if (!parsed.ok) {
      return page(await load(ctx, { values: parsed.values, errors: parsed.errors }), {
        status: 422,
        headers: NO_STORE,
      });
    }
    await updateSelfLocks(deps.db, user.id, actor, ctx.params.id, parsed.settings, new Date());
    return new Response(null, {
      status: 303,
      headers: { location: `/dashboard/accounts/${ctx.params.id}/locks?saved`, ...NO_STORE },
    });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { locks } = data;
  const failed = Object.keys(data.errors).length > 0;
  return (
    <div class="container-page py-8 sm:py-12">
      <nav aria-label="Breadcrumb" class="text-sm">
        <a class="link" href="/dashboard">Dashboard</a> <span aria-hidden="true">/</span>{" "}
        <a class="link" href={`/dashboard/accounts/${locks.accountId}`}>This account</a>{" "}
        <span aria-hidden="true">/</span> <span aria-current="page">Self-locks</span>
      </nav>
      <h1 class="mt-3 text-2xl font-bold tracking-tight sm:text-3xl">Self-locks</h1>
      <p class="mt-2 max-w-2xl text-muted">
        Limits you set on your own trading, on top of the challenge's rules. The server enforces them: while
        one holds, new orders are refused here and outside platforms are told to stop opening trades. Tighter
        limits apply at once; looser ones only from the next daily reset, so a bad moment cannot talk you out
        of them.
      </p>
      <div class="mt-6 grid gap-6 lg:grid-cols-5">
        <div class="space-y-6 lg:col-span-2">
          <LockState locks={locks} timeZone={data.timeZone} />
          <TodayFigures locks={locks} timeZone={data.timeZone} />
          <ZoneNote zone={data.timeZone} />
        </div>
        <section aria-labelledby="settings-h" class="card space-y-5 lg:col-span-3">
          <h2 id="settings-h" class="text-xl font-bold tracking-tight">Your limits</h2>
          {data.saved && <Notice>Your self-locks have been saved.</Notice>}
          {failed && (
            <FormError id="locks-error">Nothing was saved: check the fields marked below.</FormError>
          )}
          <SelfLocksForm locks={locks} values={data.values} errors={data.errors} timeZone={data.timeZone} />
        </section>
      </div>
    </div>
  );
});
