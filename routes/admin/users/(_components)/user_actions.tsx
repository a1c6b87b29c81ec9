import { ROLES } from "../../../../services/auth/roles.ts";
import type { UserProfile } from "../../../../services/users/detail.ts";
import { Field, Select, SubmitButton, TextArea } from "../../../../components/form.tsx";
import { ROLE_LABEL } from "../../../../components/user_badges.tsx";

/**
 * The actions on a user, as plain forms (CSRF-checked by the framework, no JavaScript needed). Staff who may
 * not act see why instead of the forms.
 */
export function UserActions(props: {
  profile: UserProfile;
  self: boolean;
  canManage: boolean;
  canChangeRole: boolean;
  needsCode: boolean;
}) {
  const p = props.profile;
  if (!props.canManage && !props.canChangeRole) {
    return (
      <section aria-labelledby="actions-h" class="card">
        <h2 id="actions-h" class="font-semibold">Actions</h2>
        <p class="mt-2 text-sm text-muted">
          Suspending, role changes and reset links are for admins. Your role can read this page.
        </p>
      </section>
    );
  }
  if (props.self) {
    return (
      <section aria-labelledby="actions-h" class="card">
        <h2 id="actions-h" class="font-semibold">Actions</h2>
        <p class="mt-2 text-sm text-muted">
          This is your own account: another admin suspends it or changes its role.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="actions-h" class="card grid content-start gap-6">
      <h2 id="actions-h" class="font-semibold">Actions</h2>
      {props.canManage && p.status !== "closed" && (
        <form method="post" class="grid gap-3">
          <TextArea
            name="reason"
            label={p.status === "suspended" ? "Why lift the suspension" : "Why suspend"}
            hint="Kept in the audit log."
            required
            minLength={5}
            maxLength={500}
            rows={2}
          />
          {p.status === "suspended"
            ? <SubmitButton intent="unsuspend" variant="secondary">Lift the suspension</SubmitButton>
            : <SubmitButton intent="suspend" variant="danger">Suspend and sign out everywhere</SubmitButton>}
        </form>
      )}
      {props.canChangeRole && (
        <form method="post" class="grid gap-3 border-t border-line pt-5">
          <Select
            name="role"
            label="Role"
            value={p.role}
            options={ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
          />
          {props.needsCode
            ? (
              <Field
                name="code"
                label="Your authenticator code"
                hint="Role changes need a fresh code."
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                maxLength={32}
              />
            )
            : (
              <Field
                name="password"
                label="Your password"
                type="password"
                autoComplete="current-password"
                required
              />
            )}
          <SubmitButton intent="role" variant="secondary">Change role</SubmitButton>
        </form>
      )}
      {props.canManage && p.status === "active" && (
        <form method="post" class="grid gap-2 border-t border-line pt-5">
          <p class="text-sm text-muted">
            Mails the user the forgot-password link; they choose the new password.
          </p>
          <SubmitButton intent="reset" variant="secondary">Send a password-reset link</SubmitButton>
        </form>
      )}
    </section>
  );
}
