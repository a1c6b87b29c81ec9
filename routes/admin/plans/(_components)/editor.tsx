import { Unprocessable } from "../../../../lib/errors.ts";
import { parsePlanInput } from "../../../../services/plans/admin.ts";
import type { PlanDefinition } from "../../../../services/plans/definition.ts";
import {
  errorsByField,
  MAX_PHASES,
  phaseCountOf,
  planDraft,
  type PlanFields,
} from "../../../../services/plans/plan_form.ts";
import { type PlanPreview as Preview, previewPlan } from "../../../../services/plans/preview.ts";
import { PlanForm } from "../../../../components/plan_form.tsx";
import { FormError } from "../../../../components/form.tsx";
import PlanPreview from "../../../../islands/plan_preview.tsx";

/** The posted form's plan fields (the pressed button's `intent` and the CSRF token are not plan fields). */
export function postedFields(form: Record<string, string>): PlanFields {
  const { intent: _intent, ...fields } = form;
  return fields;
}

/**
 * The fields with a block for each of `phaseCount` phases: a phase added starts as a copy of the one before
 * it (most plans repeat their rules phase to phase), so the admin edits only what differs.
 */
export function withPhaseBlocks(fields: PlanFields): PlanFields {
  const out = { ...fields };
  const count = phaseCountOf(fields);
  for (let i = 1; i < Math.min(count, MAX_PHASES); i++) {
    if (`phases.${i}.name` in out) continue;
    for (const [name, value] of Object.entries(out)) {
      const prefix = `phases.${i - 1}.`;
      if (name.startsWith(prefix)) out[`phases.${i}.${name.slice(prefix.length)}`] = value;
    }
    out[`phases.${i}.name`] = `Phase ${i + 1}`;
  }
  return out;
}

/**
 * The plan the fields describe, judged by the same parser as the JSON API; a 422 keyed by form field
 * (`phases.0.dailyLoss.value`, not `….percent`) when anything is wrong.
 */
export function parsePlanFields(
  fields: PlanFields,
  mode: "create" | "revise",
): { slug: string | undefined; family: string | undefined; body: PlanDefinition } {
  const draft = planDraft(fields);
  let errors: Record<string, string> = { ...draft.errors };
  try {
    const parsed = parsePlanInput(draft.body, mode);
    if (Object.keys(errors).length === 0) return parsed;
  } catch (error) {
    if (!(error instanceof Unprocessable)) throw error;
    errors = { ...errors, ...error.fields };
  }
  throw new Unprocessable(errorsByField(errors));
}

/** The editor's state for `fields`: the preview when they describe a valid plan, else their errors. */
export function editorState(fields: PlanFields, errors: Record<string, string> = {}, message?: string) {
  let preview: Preview | null = null;
  let previewErrors: Record<string, string> = {};
  try {
    const draft = planDraft(fields);
    preview = previewPlan(draft.body);
  } catch (error) {
    if (!(error instanceof Unprocessable)) throw error;
    previewErrors = errorsByField(error.fields ?? {});
  }
  return { fields, errors, message, preview, previewErrors };
}

/** The form beside its live preview (side by side on wide screens, preview below on narrow ones). */
export function Editor(props: {
  state: ReturnType<typeof editorState>;
  action: string;
  mode: "create" | "edit";
  /** The currencies a plan may be sold in, for the currency choice. */
  currencies: string[];
}) {
  const { state } = props;
  return (
    <div class="mt-6 grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
      <div class="min-w-0 space-y-4">
        {state.message && <FormError>{state.message}</FormError>}
        <PlanForm
          id="plan-form"
          action={props.action}
          fields={state.fields}
          errors={state.errors}
          mode={props.mode}
          currencies={props.currencies}
        />
      </div>
      <aside aria-labelledby="preview-h" class="min-w-0 xl:sticky xl:top-6 xl:self-start">
        <PlanPreview formId="plan-form" initial={state.preview} initialErrors={state.previewErrors} />
      </aside>
    </div>
  );
}
