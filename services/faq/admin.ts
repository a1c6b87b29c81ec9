/**
 * The FAQ editor: staff add, edit, reorder and delete entries. Every change is audited in the transaction
 * that makes it and, once committed, drops the cached pages that show FAQ entries (the home page's; /faq
 * itself is rendered per request).
 */
import { z } from "zod";
import { multiLine, singleLine } from "../../lib/text.ts";
import type { Db } from "../../db/client.ts";
import type { Bus } from "../bus/mod.ts";
import { type Actor, recordAudit } from "../audit.ts";
import { invalidatePages } from "../page_cache.ts";
import { Conflict, NotFound, Unprocessable } from "../../lib/errors.ts";
import { validate } from "../../lib/validation.ts";
import { log } from "../log.ts";
import { FAQ_CATEGORIES, type FaqCategory } from "./search.ts";
import {
  type AdminFaqEntry,
  categoryOrder,
  deleteFaqEntry,
  type FaqFields,
  faqSlugTaken,
  insertFaqAtEnd,
  listFaqEntries,
  lockFaqEntry,
  setCategoryOrder,
  updateFaqEntry,
} from "./admin_queries.ts";

interface FaqDeps {
  db: Db;
  bus: Bus;
}

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** An entry as the API and the form send it; limits mirror the table's checks. */
export const faqInputSchema = z.object({
  category: z.enum(FAQ_CATEGORIES, `must be one of ${FAQ_CATEGORIES.join(", ")}`),
  slug: z.string().trim().max(80, "must be at most 80 characters")
    .regex(SLUG, 'must be lower-case words joined by "-", e.g. "what-is-a-trading-day"')
    .or(z.literal("")).optional()
    .describe("The answer's anchor on /faq (`/faq#slug`); derived from the question when blank."),
  question: singleLine().trim().min(1, "is required").max(300, "must be at most 300 characters"),
  answer: multiLine().trim().min(1, "is required").max(5000, "must be at most 5000 characters"),
  // An HTML checkbox is sent ("on") when ticked and left out otherwise.
  published: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()).default(false),
});

/** `PUT /api/admin/faq/order`: a category's entries in their new order (every one of them, once). */
export const faqOrderSchema = z.strictObject({
  category: z.enum(FAQ_CATEGORIES),
  ids: z.array(z.uuid("must be an entry id")).min(1).max(500),
});

export const faqEntryId = z.uuid("No such entry.");

/** Every entry, published or not, in page order. */
export async function adminFaq(db: Db): Promise<AdminFaqEntry[]> {
  return await listFaqEntries(db.sql);
}

/** Adds an entry at the end of its category. 422 naming the fields at fault; 409 when the slug is taken. */
export async function createFaq(deps: FaqDeps, actor: Actor, input: unknown): Promise<string> {
  const fields = fieldsOf(input);
  const id = await deps.db.tx(async (tx) => {
    if (await faqSlugTaken(tx, fields.slug, null)) throw slugTaken();
    const id = await insertFaqAtEnd(tx, fields);
    await recordAudit(tx, actor, "admin.faq_created", { type: "faq_entry", id, details: { ...fields } });
    return id;
  }).catch(uniqueSlug);
  await refreshPages(deps.bus);
  return id;
}

/** Replaces an entry's text, category, anchor and visibility (404 when unknown). */
export async function editFaq(deps: FaqDeps, actor: Actor, id: string, input: unknown): Promise<void> {
  const fields = fieldsOf(input);
  await deps.db.tx(async (tx) => {
    const before = await lockFaqEntry(tx, validate(faqEntryId, id));
    if (!before) throw new NotFound("No such entry.");
    if (await faqSlugTaken(tx, fields.slug, id)) throw slugTaken();
    await updateFaqEntry(tx, id, fields, before.category !== fields.category);
    const changed = Object.fromEntries(
      (Object.keys(fields) as (keyof FaqFields)[])
        .filter((k) => before[k] !== fields[k])
        .map((k) => [k, { before: before[k], after: fields[k] }]),
    );
    await recordAudit(tx, actor, "admin.faq_updated", { type: "faq_entry", id, details: { changed } });
  }).catch(uniqueSlug);
  await refreshPages(deps.bus);
}

/** Deletes an entry; the audit entry keeps what it said (404 when unknown). */
export async function removeFaq(deps: FaqDeps, actor: Actor, id: string): Promise<void> {
  await deps.db.tx(async (tx) => {
    const gone = await lockFaqEntry(tx, validate(faqEntryId, id));
    if (!gone) throw new NotFound("No such entry.");
    await deleteFaqEntry(tx, id);
    const { updatedAt: _u, ...details } = gone;
    await recordAudit(tx, actor, "admin.faq_deleted", { type: "faq_entry", id, details });
  });
  await refreshPages(deps.bus);
}

/** Puts a category's entries in the order given; `ids` must be exactly that category's entries. */
export async function reorderFaq(
  deps: FaqDeps,
  actor: Actor,
  input: { category: FaqCategory; ids: string[] },
): Promise<void> {
  await deps.db.tx(async (tx) => {
    const current = await categoryOrder(tx, input.category);
    const same = current.length === input.ids.length && new Set(input.ids).size === input.ids.length &&
      input.ids.every((id) => current.includes(id));
    if (!same) throw new Unprocessable("ids", "must list every entry of the category exactly once");
    await setCategoryOrder(tx, input.ids);
    await recordAudit(tx, actor, "admin.faq_reordered", {
      type: "faq_category",
      details: { category: input.category, before: current, after: input.ids },
    });
  });
  await refreshPages(deps.bus);
}

/** Moves entry `id` one place up or down within its category (nothing at either end). */
export async function moveFaq(
  deps: FaqDeps,
  actor: Actor,
  id: string,
  direction: "up" | "down",
): Promise<void> {
  const [entry] = await deps.db.sql<{ category: FaqCategory }[]>`
    select category from faq_entries where id = ${validate(faqEntryId, id)}`;
  if (!entry) throw new NotFound("No such entry.");
  const ids = await deps.db.tx((tx) => categoryOrder(tx, entry.category));
  const i = ids.indexOf(id);
  const j = direction === "up" ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j], ids[i]];
  await reorderFaq(deps, actor, { category: entry.category, ids });
}

function fieldsOf(input: unknown): FaqFields {
  const v = validate(faqInputSchema, input);
  const slug = v.slug || slugify(v.question);
  if (!slug) throw new Unprocessable("slug", "cannot be derived from the question; type one");
  return { category: v.category, slug, question: v.question, answer: v.answer, published: v.published };
}

/** "What is a trading day?" → "what-is-a-trading-day". */
function slugify(text: string): string {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80).replace(/-+$/, "");
}

const slugTaken = () =>
  new Conflict("Another entry uses this anchor.", { slug: "is taken by another entry" });

/** Two saves with one slug at once: the unique index lets one through. */
function uniqueSlug(error: unknown): never {
  if ((error as { code?: string }).code === "23505") throw slugTaken();
  throw error;
}

/** The change is committed whatever the bus does; a stale cached page is the lesser harm than a 500. */
async function refreshPages(bus: Bus): Promise<void> {
  await invalidatePages(bus, "faq").catch((error) =>
    log.error("invalidating cached FAQ pages failed", { scope: "content", error })
  );
}
