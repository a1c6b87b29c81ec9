import type { ComponentChildren, JSX } from "preact";
import { HttpError } from "../lib/errors.ts";
import { fieldSentence } from "../lib/validation.ts";

/**
 * Server-rendered form parts for pages that work without JavaScript: a POST re-renders the page with the
 * values typed and the errors next to the fields they belong to (`aria-invalid` + `aria-describedby`), or
 * redirects (PRG). Error and hint paragraphs have ids derived from the field name, so a field and its
 * messages stay tied together for screen readers.
 */

/**
 * The statuses a form page answers by re-rendering itself with the error inline (wrong input, wrong
 * credentials, taken email, too many attempts); anything else goes to the error page.
 */
export function isFormError(error: unknown): error is HttpError {
  return error instanceof HttpError && [401, 403, 409, 422, 429].includes(error.status);
}

/** The `Retry-After` of a 429 as words: "in 2 minutes". */
export function retryAfterText(error: HttpError): string {
  const seconds = Number(error.headers?.["retry-after"] ?? 60);
  if (seconds < 90) return `in ${Math.max(1, Math.round(seconds))} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? `in ${minutes} minutes` : `in about ${Math.round(minutes / 60)} hours`;
}

/** Headers to answer a form error with: keeps `Retry-After`, never cached (the page may hold typed values). */
export function formErrorHeaders(error: HttpError): HeadersInit {
  return { ...error.headers, "cache-control": "no-store" };
}

const INPUT = "mt-1.5 block w-full rounded-lg border border-line bg-surface px-3 py-2.5 text-base text-ink " +
  "placeholder:text-muted focus:border-brand focus:outline-none focus-visible:outline-2 " +
  "focus-visible:outline-brand aria-[invalid=true]:border-red-700 dark:aria-[invalid=true]:border-red-400";

type InputAttributes = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "label" | "name" | "value" | "id">;

interface FieldProps extends InputAttributes {
  name: string;
  label: string;
  /** Defaults to `name`; set it when one page has two forms with the same field name. */
  id?: string;
  value?: string;
  /** The message from the server, shown under the field (e.g. "is required" → "Password is required."). */
  error?: string;
  /** Guidance shown under the label, before anything is typed. */
  hint?: ComponentChildren;
  /** Ids of other messages that describe this field (e.g. a form-level error about the credentials). */
  describedBy?: string;
  /** Marks the field invalid when the message about it is elsewhere (`describedBy`). */
  invalid?: boolean;
}

/** A labelled input with its hint and error, tied together with `aria-describedby`. */
export function Field(props: FieldProps) {
  const { name, label, id = name, value, error, hint, describedBy, invalid, class: extra, ...input } = props;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const described = [hintId, errorId, describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div class={extra as string | undefined}>
      <label for={id} class="block text-sm font-medium">{label}</label>
      {hint && <p id={hintId} class="mt-1 text-sm text-muted">{hint}</p>}
      <input
        {...input}
        id={id}
        name={name}
        value={value}
        aria-invalid={error || invalid ? "true" : undefined}
        aria-describedby={described}
        class={INPUT}
      />
      {error && <FieldError id={errorId!}>{fieldSentence(label, error)}</FieldError>}
    </div>
  );
}

interface SelectProps extends Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, "label" | "name" | "value"> {
  name: string;
  label: string;
  value?: string;
  options: { value: string; label: string }[];
  error?: string;
  hint?: ComponentChildren;
}

/** A labelled `<select>` with its hint and error, as `Field`. */
export function Select(props: SelectProps) {
  const { name, label, value, options, error, hint, class: extra, ...select } = props;
  const hintId = hint ? `${name}-hint` : undefined;
  const errorId = error ? `${name}-error` : undefined;
  return (
    <div class={extra as string | undefined}>
      <label for={name} class="block text-sm font-medium">{label}</label>
      {hint && <p id={hintId} class="mt-1 text-sm text-muted">{hint}</p>}
      <select
        {...select}
        id={name}
        name={name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
        class={INPUT}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === value}>{o.label}</option>
        ))}
      </select>
      {error && <FieldError id={errorId!}>{fieldSentence(label, error)}</FieldError>}
    </div>
  );
}

interface TextAreaProps
  extends Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, "label" | "name" | "value" | "id"> {
  name: string;
  label: string;
  value?: string;
  error?: string;
  hint?: ComponentChildren;
}

/** A labelled multi-line input with its hint and error, as `Field`. */
export function TextArea(props: TextAreaProps) {
  const { name, label, value, error, hint, class: extra, ...area } = props;
  const hintId = hint ? `${name}-hint` : undefined;
  const errorId = error ? `${name}-error` : undefined;
  return (
    <div class={extra as string | undefined}>
      <label for={name} class="block text-sm font-medium">{label}</label>
      {hint && <p id={hintId} class="mt-1 text-sm text-muted">{hint}</p>}
      <textarea
        {...area}
        id={name}
        name={name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
        class={INPUT}
      >
        {value}
      </textarea>
      {error && <FieldError id={errorId!}>{fieldSentence(label, error)}</FieldError>}
    </div>
  );
}

/** A checkbox with its label beside it; sent as "on" when ticked, absent otherwise. */
export function Checkbox(props: { name: string; label: string; checked?: boolean; hint?: string }) {
  const hintId = props.hint ? `${props.name}-hint` : undefined;
  return (
    <div class="flex items-start gap-3">
      <input
        type="checkbox"
        id={props.name}
        name={props.name}
        checked={props.checked}
        aria-describedby={hintId}
        class="mt-1 size-4 accent-brand-strong"
      />
      <div>
        <label for={props.name} class="text-sm font-medium">{props.label}</label>
        {props.hint && <p id={hintId} class="text-sm text-muted">{props.hint}</p>}
      </div>
    </div>
  );
}

function FieldError(props: { id: string; children: ComponentChildren }) {
  return (
    <p id={props.id} class="mt-1.5 flex gap-1.5 text-sm font-medium text-red-700 dark:text-red-400">
      <svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16" class="mt-0.5 shrink-0">
        <circle cx="10" cy="10" r="9" fill="currentColor" />
        <path d="M10 5.5v5.5M10 13.5v1" stroke="white" stroke-width="2" stroke-linecap="round" />
      </svg>
      <span>{props.children}</span>
    </p>
  );
}

type ButtonVariant = "primary" | "secondary" | "danger";

const BUTTON: Record<ButtonVariant, string> = {
  primary: "btn-primary",
  secondary: "inline-flex items-center justify-center rounded-lg border border-line bg-surface px-5 py-2.5 " +
    "font-semibold text-ink hover:border-brand",
  danger: "inline-flex items-center justify-center rounded-lg border border-red-700 bg-surface px-5 py-2.5 " +
    "font-semibold text-red-700 hover:bg-red-700 hover:text-white dark:border-red-400 dark:text-red-400",
};

/**
 * A submit button. `intent` routes one of several forms on a page to its action (a `name="intent"` button
 * is sent only when it is the one pressed).
 */
export function SubmitButton(
  props: { children: ComponentChildren; intent?: string; variant?: ButtonVariant; class?: string },
) {
  return (
    <button
      type="submit"
      name={props.intent ? "intent" : undefined}
      value={props.intent}
      class={`${BUTTON[props.variant ?? "primary"]} ${props.class ?? ""}`.trim()}
    >
      {props.children}
    </button>
  );
}

/**
 * An error about the whole form (wrong credentials, too many attempts), announced when the page loads. Give
 * it an `id` to reference from the fields it concerns.
 */
export function FormError(props: { id?: string; children: ComponentChildren }) {
  return (
    <div
      id={props.id}
      role="alert"
      class="rounded-lg border border-red-700/40 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-400/40 dark:bg-red-950/40 dark:text-red-200"
    >
      {props.children}
    </div>
  );
}

/** A neutral or success message (sent, saved, verified), announced politely. */
export function Notice(props: { children: ComponentChildren; tone?: "success" | "info"; id?: string }) {
  const tone = props.tone === "info"
    ? "border-line bg-raised text-ink"
    : "border-brand/40 bg-brand/10 text-ink";
  return (
    <div id={props.id} role="status" class={`rounded-lg border px-4 py-3 text-sm ${tone}`}>
      {props.children}
    </div>
  );
}

/** The narrow centred panel of the sign-in, sign-up and password pages. */
export function AuthPanel(props: { title: string; intro?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class="container-page py-12 sm:py-16">
      <div class="mx-auto w-full max-w-md">
        <h1 class="text-3xl font-bold tracking-tight">{props.title}</h1>
        {props.intro && <p class="mt-3 text-muted">{props.intro}</p>}
        <div class="mt-8 space-y-6">{props.children}</div>
      </div>
    </div>
  );
}

/** First and last name side by side (sign-up and the account page ask for them the same way). */
export function NameFields(props: {
  values: { firstName?: string; lastName?: string };
  errors?: { firstName?: string; lastName?: string };
}) {
  return (
    <div class="grid gap-5 sm:grid-cols-2">
      <Field
        name="firstName"
        label="First name"
        autocomplete="given-name"
        maxLength={100}
        value={props.values.firstName}
        error={props.errors?.firstName}
      />
      <Field
        name="lastName"
        label="Last name"
        autocomplete="family-name"
        maxLength={100}
        value={props.values.lastName}
        error={props.errors?.lastName}
      />
    </div>
  );
}
