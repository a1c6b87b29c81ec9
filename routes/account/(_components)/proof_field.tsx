import { Field } from "../../../components/form.tsx";

/** The step-up a form on the data page asks for: a 2FA code when 2FA is on, the password otherwise. */
export function ProofField(
  props: { twoFactor: boolean; id: string; describedBy?: string; invalid?: boolean },
) {
  return props.twoFactor
    ? (
      <Field
        name="code"
        id={props.id}
        label="Code from your authenticator app"
        inputMode="numeric"
        autocomplete="one-time-code"
        required
        describedBy={props.describedBy}
        invalid={props.invalid}
      />
    )
    : (
      <Field
        name="password"
        id={props.id}
        label="Your password"
        type="password"
        autocomplete="current-password"
        required
        describedBy={props.describedBy}
        invalid={props.invalid}
      />
    );
}
