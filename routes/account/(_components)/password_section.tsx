import { Field, SubmitButton } from "../../../components/form.tsx";
import { Card, SavedNotice, SectionError } from "./section_card.tsx";
import type { Data } from "./security_types.ts";

export function PasswordSection({ data }: { data: Data }) {
  const state = data.state.password;
  return (
    <Card id="password" title="Password">
      <SavedNotice saved={data.saved} when="password" />
      <SectionError state={state} />
      <form method="post" class="space-y-5 sm:max-w-md">
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" autocomplete="username" value={data.profile.email} class="hidden" readOnly />
        <Field
          name="currentPassword"
          id="current-password"
          label="Current password"
          type="password"
          autocomplete="current-password"
          required
          error={state?.errors?.currentPassword}
        />
        <Field
          name="newPassword"
          id="new-password"
          label="New password"
          type="password"
          autocomplete="new-password"
          required
          hint="At least 12 characters. Your other sessions are signed out when it changes."
          error={state?.errors?.newPassword}
        />
        <SubmitButton intent="password">Change password</SubmitButton>
      </form>
    </Card>
  );
}
