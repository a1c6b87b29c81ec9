import { define, setMeta, type SignedInState } from "../../_define.ts";
import { type Context, page } from "../../../lib/define.ts";
import { BadRequest, Forbidden, type HttpError, NotFound } from "../../../lib/errors.ts";
import { isUuid, readForm, validate } from "../../../lib/validation.ts";
import { reauthenticate } from "../../../services/auth/accounts.ts";
import { can, rolesWith } from "../../../services/auth/roles.ts";
import {
  changeRole,
  roleInput,
  sendPasswordReset,
  setUserStatus,
  statusInput,
} from "../../../services/users/actions.ts";
import { type UserDetail, userDetail } from "../../../services/users/detail.ts";
import { ZoneNote } from "../../../components/date_time.tsx";
import { FormError, isFormError, Notice } from "../../../components/form.tsx";
import { KYC_STATUS, MappedBadge, ROLE_LABEL, USER_STATUS } from "../../../components/user_badges.tsx";
import { UserActions } from "./(_components)/user_actions.tsx";
import {
  AccountsTable,
  AuditTrail,
  OrdersTable,
  PayoutsTable,
  ProfileList,
  SessionsTable,
} from "./(_components)/user_sections.tsx";

/** Staff with users.read see a user; acting needs users.manage (roles.change for the role), checked per form. */
export const access = rolesWith("users.read");

interface Data {
  detail: UserDetail;
  self: boolean;
  canManage: boolean;
  canChangeRole: boolean;
  needsCode: boolean;
  timeZone: string;
  error: string | null;
  done: string | null;
}

const DONE: Record<string, string> = {
  suspended: "The user is suspended: every session and live stream of theirs has ended.",
  active: "The suspension is lifted; the user can sign in again.",
  role: "The role is changed.",
  reset: "A password-reset link was mailed to the user.",
};

const NO_STORE = { "cache-control": "no-store" };

async function load(ctx: Context<SignedInState>, error: string | null, status = 200) {
  const { deps, user } = ctx.state;
  const id = ctx.params.id;
  if (!isUuid(id)) throw new NotFound("No such user.");
  const cursor = ctx.url.searchParams.get("auditCursor") ?? undefined;
  const detail = await userDetail(deps.db.sql, id, cursor && cursor.length <= 200 ? cursor : undefined);
  const p = detail.profile;
  setMeta(
    ctx.state,
    `${`${p.firstName} ${p.lastName}`.trim() || p.email} · Users`,
    "A user in the back office.",
  );
  const done = ctx.url.searchParams.get("done");
  return page<Data>({
    detail,
    self: id === user.id,
    canManage: can(user, "users.manage"),
    canChangeRole: can(user, "roles.change"),
    needsCode: user.twoFactorEnabled,
    timeZone: user.timeZone,
    error,
    done: done ? DONE[done] ?? null : null,
  }, { status, headers: NO_STORE });
}

export const handler = define.handlers<Data, typeof access>({
  async GET(ctx) {
    return await load(ctx, null);
  },
  async POST(ctx) {
    const { deps, actor } = ctx.state;
    let user = ctx.state.user;
    const id = ctx.params.id;
    if (!isUuid(id)) throw new NotFound("No such user.");
    const form = await readForm(ctx.req);
    let done: string;
    try {
      if (form.intent === "suspend" || form.intent === "unsuspend") {
        if (!can(user, "users.manage")) throw new Forbidden("Only admins suspend users.");
        const input = validate(statusInput, {
          status: form.intent === "suspend" ? "suspended" : "active",
          reason: form.reason,
        });
        done = (await setUserStatus(deps, user, id, input, actor)).status;
      } else if (form.intent === "role") {
        if (!can(user, "roles.change")) throw new Forbidden("Only admins change roles.");
        const input = validate(roleInput, { role: form.role });
        // The step-up is the code (or password) typed into this form, as for a payout request.
        const proof = user.twoFactorEnabled ? { code: form.code ?? "" } : { password: form.password ?? "" };
        user = await reauthenticate(deps, user, proof, actor);
        await changeRole(deps, user, id, input, actor);
        done = "role";
      } else if (form.intent === "reset") {
        if (!can(user, "users.manage")) throw new Forbidden("Only admins send reset links.");
        await sendPasswordReset(deps, id, actor);
        done = "reset";
      } else {
        throw new BadRequest("Unknown form: send one of the page's buttons.");
      }
    } catch (error) {
      if (!(error instanceof BadRequest) && !isFormError(error)) throw error;
      const e = error as HttpError;
      const message = e.fields && Object.keys(e.fields).length
        ? Object.entries(e.fields).map(([k, v]) => `${k[0].toUpperCase()}${k.slice(1)} ${v}.`).join(" ")
        : e.message;
      return await load(ctx, message, e.status);
    }
    return new Response(null, {
      status: 303,
      headers: { location: `/admin/users/${id}?done=${done}`, ...NO_STORE },
    });
  },
}, { access });

export default define.page<typeof handler>(({ data }) => {
  const { profile: p, kycStatus } = data.detail;
  const name = `${p.firstName} ${p.lastName}`.trim() || p.email;
  return (
    <>
      <p class="text-sm">
        <a class="link" href="/admin/users">← Users</a>
      </p>
      <div class="mt-2 flex flex-wrap items-center gap-3">
        <h1 class="text-2xl font-bold tracking-tight">{name}</h1>
        <MappedBadge map={USER_STATUS} value={p.status} />
        <span class="text-sm text-muted">{ROLE_LABEL[p.role]}</span>
      </div>
      <p class="mt-1 break-all text-muted">{p.email}</p>
      <ZoneNote zone={data.timeZone} class="mt-1" />
      <div class="mt-4 space-y-3">
        {data.done && <Notice>{data.done}</Notice>}
        {data.error && <FormError>{data.error}</FormError>}
      </div>
      <div class="mt-6 grid gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
        <section aria-labelledby="profile-h" class="card">
          <h2 id="profile-h" class="font-semibold">Profile</h2>
          <ProfileList profile={p} zone={data.timeZone} />
          <p class="mt-4 flex flex-wrap items-center gap-2 text-sm">
            KYC: <MappedBadge map={KYC_STATUS} value={kycStatus} />
            <a class="link" href="/admin/kyc">KYC review queue</a>
          </p>
        </section>
        <UserActions
          profile={p}
          self={data.self}
          canManage={data.canManage}
          canChangeRole={data.canChangeRole}
          needsCode={data.needsCode}
        />
      </div>
      <AccountsTable accounts={data.detail.accounts} zone={data.timeZone} />
      <OrdersTable orders={data.detail.orders} zone={data.timeZone} />
      <PayoutsTable payouts={data.detail.payouts} zone={data.timeZone} />
      <SessionsTable sessions={data.detail.sessions} zone={data.timeZone} />
      <AuditTrail audit={data.detail.audit} userId={p.id} zone={data.timeZone} />
    </>
  );
});
