import type { ComponentChildren } from "preact";
import { FormError, Notice } from "../../../components/form.tsx";
import type { SectionState } from "./security_types.ts";

const SAVED: Record<string, string> = {
  profile: "Your profile has been saved.",
  password: "Your password has been changed, and your other sessions signed out.",
  "2fa-off": "Two-factor authentication is off.",
  session: "That session has been signed out.",
  sessions: "All your other sessions have been signed out.",
  verified: "Your email address is already confirmed.",
};

export function Card(
  props: { id: string; title: string; status?: ComponentChildren; children: ComponentChildren },
) {
  return (
    <section id={props.id} aria-labelledby={`${props.id}-heading`} class="card scroll-mt-6 space-y-5">
      <h2
        id={`${props.id}-heading`}
        class="flex flex-wrap items-center gap-3 text-xl font-bold tracking-tight"
      >
        {props.title}
        {props.status}
      </h2>
      {props.children}
    </section>
  );
}

/** The confirmation of the change just saved (`saved`), if it is `when`. */
export function SavedNotice({ saved, when }: { saved: string | null; when: string }) {
  return saved === when && SAVED[when] ? <Notice>{SAVED[when]}</Notice> : null;
}

export function SectionError({ state }: { state?: SectionState }) {
  return state?.message ? <FormError>{state.message}</FormError> : null;
}

export function Badge(props: { on: boolean; children: ComponentChildren }) {
  const tone = props.on ? "bg-brand-strong text-on-brand" : "border border-line text-muted";
  return <span class={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${tone}`}>{props.children}</span>;
}
