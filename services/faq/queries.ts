/** Queries over `faq_entries`: the public FAQ, grouped by category on `/faq`. */
import type { Db, Sql } from "../../db/client.ts";
import { FAQ_CATEGORIES, type FaqCategory, type FaqEntry } from "./search.ts";

export type FaqEntryInput = {
  category: FaqCategory;
  slug: string;
  question: string;
  answer: string;
  position?: number;
  published?: boolean;
};

/** Published entries in page order: by category (as in `FAQ_CATEGORIES`), then position, then slug. */
export async function listPublishedFaq(db: Db | Sql): Promise<FaqEntry[]> {
  const sql = typeof db === "function" ? db : db.sql;
  return await sql<FaqEntry[]>`
    select id, category, slug, question, answer, position
    from faq_entries
    where published
    order by array_position(${FAQ_CATEGORIES as unknown as string[]}::text[], category), position, slug`;
}

/** Inserts one entry (unpublished unless `published` is set) and returns its id. */
export async function insertFaqEntry(tx: Sql, input: FaqEntryInput): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into faq_entries (category, slug, question, answer, position, published)
    values (${input.category}, ${input.slug}, ${input.question.trim()}, ${input.answer.trim()},
            ${input.position ?? 0}, ${input.published ?? false})
    returning id`;
  return row.id;
}
