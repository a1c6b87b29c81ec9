/**
 * The staff actions on an account as plain forms (CSRF-protected cookie forms, no JS needed): reinstate,
 * pause, close — each with the reason the audit keeps. Only the actions the status allows are offered.
 */
import { SubmitButton } from "../../../components/form.tsx";

const REASON_CLASS = "w-full rounded-lg border border-line bg-surface px-3 py-2 text-sm";

function ActionForm(props: {
  intent: "reinstate" | "pause" | "close";
  title: string;
  explain: string;
  button: string;
  variant: "primary" | "secondary" | "danger";
  reason: string;
}) {
  const id = `reason-${props.intent}`;
  return (
    <form method="post" class="grid gap-2" data-action={props.intent}>
      <h3 class="font-semibold">{props.title}</h3>
      <p class="text-xs text-muted">{props.explain}</p>
      <label for={id} class="text-sm">Reason (kept in the audit log)</label>
      <textarea
        id={id}
        name="reason"
        required
        minLength={10}
        maxLength={1000}
        rows={2}
        class={REASON_CLASS}
      >
        {props.reason}
      </textarea>
      <SubmitButton intent={props.intent} variant={props.variant}>{props.button}</SubmitButton>
    </form>
  );
}

export function StaffActions(
  props: { status: string; timeLimitFailure: boolean; staffPause: boolean; reason: string },
) {
  const { status, reason } = props;
  const reinstatable = status === "paused" || (status === "failed" && !props.timeLimitFailure);
  return (
    <section aria-labelledby="actions-h" class="card grid gap-5 p-4" data-staff-actions>
      <h2 id="actions-h" class="text-sm font-semibold uppercase tracking-wider text-muted">Actions</h2>
      {reinstatable && (
        <ActionForm
          intent="reinstate"
          title={status === "failed" ? "Reinstate" : "Resume trading"}
          explain={status === "failed"
            ? "The account trades again from its current figures; the failure stays in its history."
            : props.staffPause
            // A pause by staff has no end of its own: only this lifts it.
            ? "Lifts the staff pause: the account trades again now."
            : "Lifts the pause now instead of at the next reset."}
          button={status === "failed" ? "Reinstate the account" : "Resume trading"}
          variant="primary"
          reason={reason}
        />
      )}
      {status === "active" && (
        <ActionForm
          intent="pause"
          title="Pause"
          explain="Trading is refused until staff reinstate it; the loss rules still apply."
          button="Pause the account"
          variant="secondary"
          reason={reason}
        />
      )}
      {status !== "closed" && (
        <ActionForm
          intent="close"
          title="Close"
          explain="Ends the account for good: no more trading or evaluation. Its history stays."
          button="Close the account"
          variant="danger"
          reason={reason}
        />
      )}
      {status === "closed" && <p class="text-sm text-muted">Closed accounts take no further action.</p>}
      {status === "failed" && props.timeLimitFailure && (
        <p class="text-sm text-muted">A time-limit failure cannot be reinstated: the deadline has passed.</p>
      )}
    </section>
  );
}
