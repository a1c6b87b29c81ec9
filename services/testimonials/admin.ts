/**
 * Home-page testimonials, managed by staff. Every change is audited in the transaction that makes it, and
 * drops the cached pages that show testimonials once it has committed (so no process re-caches old text).
 */
import { z } from "zod";
import { multiLine, singleLine } from "../../lib/text.ts";
import type { Deps } from "../deps.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { invalidatePages } from "../page_cache.ts";
import { NotFound } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import {
  deleteTestimonial,
  insertTestimonial,
  setTestimonialPublished,
  type TestimonialInput,
  updateTestimonial,
} from "./queries.ts";

/** The form's fields as text (as a browser sends them) → a valid input; limits mirror the table's checks. */
const testimonialInput = z.object({
  quote: multiLine().trim().min(10, "must be at least 10 characters").max(
    600,
    "must be at most 600 characters",
  ),
  authorName: singleLine().trim().min(1, "is required").max(80, "must be at most 80 characters"),
  authorDetail: singleLine().trim().max(120, "must be at most 120 characters").default(""),
  position: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? 0 : v),
    z.coerce.number("must be a whole number").int("must be a whole number").min(0, "must be 0 or more")
      .max(9999, "must be at most 9999"),
  ),
  // An HTML checkbox is sent ("on") when ticked and left out otherwise.
  published: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()),
});

export const testimonialId = z.uuid("must be a testimonial id");

type Fields = Record<string, string | undefined>;

/** Creates a testimonial from form fields (422 naming the fields at fault); returns its id. */
export async function createTestimonial(deps: Deps, actor: Actor, fields: Fields): Promise<string> {
  const input: TestimonialInput = validate(testimonialInput, fields);
  const id = await deps.db.tx(async (tx) => {
    const id = await insertTestimonial(tx, input, actor.userId);
    await recordAudit(tx, actor, "admin.testimonial_created", {
      type: "testimonial",
      id,
      details: { authorName: input.authorName, published: input.published },
    });
    return id;
  });
  await invalidatePages(deps.bus, "testimonials");
  return id;
}

/** Replaces a testimonial's text, author, position and visibility (404 when it does not exist). */
export async function editTestimonial(deps: Deps, actor: Actor, id: string, fields: Fields): Promise<void> {
  const input: TestimonialInput = validate(testimonialInput, fields);
  await deps.db.tx(async (tx) => {
    if (!await updateTestimonial(tx, validate(testimonialId, id), input)) throw new NotFound();
    await recordAudit(tx, actor, "admin.testimonial_updated", {
      type: "testimonial",
      id,
      details: { authorName: input.authorName, published: input.published },
    });
  });
  await invalidatePages(deps.bus, "testimonials");
}

/** Shows (`published`) or withdraws a testimonial from the home page (404 when it does not exist). */
export async function publishTestimonial(
  deps: Deps,
  actor: Actor,
  id: string,
  published: boolean,
): Promise<void> {
  await deps.db.tx(async (tx) => {
    if (!await setTestimonialPublished(tx, validate(testimonialId, id), published)) throw new NotFound();
    await recordAudit(
      tx,
      actor,
      published ? "admin.testimonial_published" : "admin.testimonial_unpublished",
      { type: "testimonial", id },
    );
  });
  await invalidatePages(deps.bus, "testimonials");
}

/** Deletes a testimonial; the audit entry keeps what it said (404 when it does not exist). */
export async function removeTestimonial(deps: Deps, actor: Actor, id: string): Promise<void> {
  await deps.db.tx(async (tx) => {
    const gone = await deleteTestimonial(tx, validate(testimonialId, id));
    if (!gone) throw new NotFound();
    await recordAudit(tx, actor, "admin.testimonial_deleted", {
      type: "testimonial",
      id,
      details: { quote: gone.quote, authorName: gone.authorName, authorDetail: gone.authorDetail },
    });
  });
  await invalidatePages(deps.bus, "testimonials");
}
