import { Field, Notice, SubmitButton } from "../../../components/form.tsx";
import { Badge, Card, SavedNotice, SectionError } from "./section_card.tsx";
import type { Data } from "./security_types.ts";

export function TwoFactorSection({ data }: { data: Data }) {
  const on = data.profile.twoFactorEnabled;
  return (
    <Card
      id="two-factor"
      title="Two-factor authentication"
      status={<Badge on={on}>{on ? "On" : "Off"}</Badge>}
    >
      <SavedNotice saved={data.saved} when="2fa-off" />
      <TwoFactor data={data} />
    </Card>
  );
}

/** The section's body, by step: recovery codes just issued, set-up in progress, on, or off. */
function TwoFactor({ data }: { data: Data }) {
  const state = data.state.twoFactor;
  if (data.recoveryCodes) {
    return (
      <>
        <Notice>Two-factor authentication is on.</Notice>
        <div>
          <h3 class="font-semibold">Your recovery codes</h3>
          <p class="mt-1 text-sm text-muted">
            Each one signs you in once if you lose your phone. Save them somewhere safe now: they are shown
            only this once.
          </p>
          <ol class="mt-4 grid grid-cols-2 gap-2 rounded-lg border border-line bg-surface p-4 font-mono text-sm sm:grid-cols-3">
            {data.recoveryCodes.map((code) => <li key={code}>{code}</li>)}
          </ol>
        </div>
        <p>
          <a class="btn-primary" href="/account/security#two-factor">I have saved them</a>
        </p>
      </>
    );
  }
  if (data.enrollment) {
    const key = data.enrollment.secret.match(/.{1,4}/g)!.join(" ");
    return (
      <>
        <SectionError state={state} />
        <ol class="space-y-6">
          <li>
            <p class="font-medium">1. Scan this QR code with your authenticator app</p>
            <img
              src={data.enrollment.qrDataUrl}
              width="192"
              height="192"
              alt="QR code to add PropTrade Pro to your authenticator app"
              class="mt-3 rounded-lg border border-line bg-white p-2"
            />
          </li>
          <li>
            <p class="font-medium">2. Or enter this key by hand</p>
            <p class="mt-2">
              <code id="totp-key" class="rounded bg-surface px-2 py-1 font-mono text-sm break-all">
                {key}
              </code>
            </p>
            <p class="mt-1 text-sm text-muted">Time-based, 6 digits, every 30 seconds.</p>
          </li>
          <li>
            <form method="post" class="space-y-4">
              <input type="hidden" name="secret" value={data.enrollment.secret} />
              <Field
                name="code"
                id="enable-code"
                label="3. Enter the 6-digit code the app shows"
                autocomplete="one-time-code"
                inputMode="numeric"
                maxLength={32}
                required
                class="max-w-xs"
                error={state?.errors?.code}
              />
              <div class="flex flex-wrap items-center gap-4">
                <SubmitButton intent="2fa-confirm">Turn on two-factor authentication</SubmitButton>
                <a class="link text-sm" href="/account/security#two-factor">Cancel</a>
              </div>
            </form>
          </li>
        </ol>
      </>
    );
  }
  if (data.profile.twoFactorEnabled) {
    return (
      <>
        <SectionError state={state} />
        <p>Signing in needs a code from your authenticator app, or one of your recovery codes.</p>
        <form method="post" class="space-y-4 sm:max-w-md">
          <Field
            name="code"
            id="disable-code"
            label="Code from your app, or a recovery code"
            autocomplete="one-time-code"
            maxLength={32}
            required
            error={state?.errors?.code}
          />
          <SubmitButton intent="2fa-disable" variant="danger">
            Turn off two-factor authentication
          </SubmitButton>
        </form>
      </>
    );
  }
  return (
    <>
      <SectionError state={state} />
      <p>
        Protect your account with a second step at sign-in: a code from an authenticator app on your phone.
      </p>
      <form method="post" class="space-y-4 sm:max-w-md">
        {!data.stepUpRecent && (
          <>
            {/* Lets password managers fill the password of the right account. */}
            <input type="email" autocomplete="username" value={data.profile.email} class="hidden" readOnly />
            <Field
              name="password"
              id="two-factor-password"
              label="Your password"
              type="password"
              autocomplete="current-password"
              hint="To confirm it is you before changing how you sign in."
              required
              error={state?.errors?.password}
            />
          </>
        )}
        <SubmitButton intent="2fa-begin">Set up two-factor authentication</SubmitButton>
      </form>
    </>
  );
}
