import type { FieldErrors } from "../lib/errors.ts";
import { Checkbox, Field, SubmitButton, TextArea } from "./form.tsx";

/** The editor's fields as typed (position stays text, so a wrong entry is shown back as it was). */
export interface EditorValues {
  quote: string;
  authorName: string;
  authorDetail: string;
  position: string;
  published: boolean;
}

/**
 * The back office's testimonial form: creates one (`id` null) or saves the one with `id`. Works without
 * JavaScript; errors come back next to their fields.
 */
export function TestimonialEditor(props: { id: string | null; values: EditorValues; errors: FieldErrors }) {
  const { values, errors } = props;
  return (
    <form method="post" action="/admin/testimonials#editor" class="mt-5 space-y-5">
      {props.id && <input type="hidden" name="id" value={props.id} />}
      <TextArea
        name="quote"
        label="Quote"
        rows={4}
        required
        minLength={10}
        maxLength={600}
        value={values.quote}
        error={errors.quote}
        hint="10 to 600 characters, in the trader's own words. Line breaks are kept."
      />
      <div class="grid gap-5 sm:grid-cols-2">
        <Field
          name="authorName"
          label="Author"
          required
          maxLength={80}
          value={values.authorName}
          error={errors.authorName}
          hint="As the trader agreed to be named, e.g. “Marta K.”"
        />
        <Field
          name="authorDetail"
          label="Detail (optional)"
          maxLength={120}
          value={values.authorDetail}
          error={errors.authorDetail}
          hint="e.g. “Funded trader, Two-Step 100K”"
        />
      </div>
      <Field
        name="position"
        label="Position"
        type="number"
        inputMode="numeric"
        min={0}
        max={9999}
        class="max-w-40"
        value={values.position}
        error={errors.position}
        hint="Lower numbers come first."
      />
      <Checkbox
        name="published"
        label="Published"
        checked={values.published}
        hint="Shown on the home page as soon as it is saved."
      />
      <div class="flex flex-wrap items-center gap-4">
        <SubmitButton intent={props.id ? "update" : "create"}>
          {props.id ? "Save testimonial" : "Add testimonial"}
        </SubmitButton>
        {props.id && <a class="link text-sm" href="/admin/testimonials">Cancel editing</a>}
      </div>
    </form>
  );
}
