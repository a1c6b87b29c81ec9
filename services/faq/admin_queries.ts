/** The back office's queries over `faq_entries`: every entry, published or not, and their order. */
import type { Sql } from "../../db/client.ts";
import { FAQ_CATEGORIES, type FaqCategory } from "./search.ts";

/** An entry as staff see it: the public fields plus whether it is published and when it changed. */
export interface AdminFaqEntry {
  id: string;
  category: FaqCategory;
  slug: string;
  question: string;
  answer: string;
  position: number;
  published: boolean;
  updatedAt: string;
}

export interface FaqFields {
  category: FaqCategory;
  slug: string;
  question: string;
  answer: string;
  published: boolean;
}

type Row = Omit<AdminFaqEntry, "updatedAt"> & { updatedAt: Date };

const toEntry = (r: Row): AdminFaqEntry => ({ ...r, updatedAt: r.updatedAt.toISOString() });

/** Every entry in the public page's order (category, position, slug). */
export async function listFaqEntries(sql: Sql): Promise<AdminFaqEntry[]> {
  const rows = await sql<Row[]>`
    select id, category, slug, question, answer, position, published, updated_at as "updatedAt"
    from faq_entries
    order by array_position(${FAQ_CATEGORIES as unknown as string[]}::text[], category), position, slug`;
  return rows.map(toEntry);
}

/** One entry, locked for the transaction; null when there is none. */
export async function lockFaqEntry(sql: Sql, id: string): Promise<AdminFaqEntry | null> {
  const [row] = await sql<Row[]>`
    select id, category, slug, question, answer, position, published, updated_at as "updatedAt"
    from faq_entries where id = ${id} for update`;
  return row ? toEntry(row) : null;
}

/** Whether another entry uses `slug` (the unique index still decides a race). */
export async function faqSlugTaken(sql: Sql, slug: string, except: string | null): Promise<boolean> {
  const rows =
    await sql`select 1 from faq_entries where slug = ${slug} and id is distinct from ${except}::uuid`;
  return rows.length > 0;
}

/** Inserts an entry at the end of its category; returns its id. */
export async function insertFaqAtEnd(sql: Sql, f: FaqFields): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into faq_entries (category, slug, question, answer, position, published)
    values (${f.category}, ${f.slug}, ${f.question}, ${f.answer},
            (select coalesce(max(position), 0) + 10 from faq_entries where category = ${f.category}),
            ${f.published})
    returning id`;
  return row.id;
}

/** Replaces an entry's fields; a move to another category puts it at that category's end. */
export async function updateFaqEntry(sql: Sql, id: string, f: FaqFields, moved: boolean): Promise<void> {
  await sql`
    update faq_entries set
      category = ${f.category}, slug = ${f.slug}, question = ${f.question}, answer = ${f.answer},
      published = ${f.published}, updated_at = now(),
      position = case when ${moved} then
        (select coalesce(max(position), 0) + 10 from faq_entries where category = ${f.category})
        else position end
    where id = ${id}`;
}

export async function deleteFaqEntry(sql: Sql, id: string): Promise<void> {
  await sql`delete from faq_entries where id = ${id}`;
}

/** The ids of a category's entries, in order. */
export async function categoryOrder(sql: Sql, category: FaqCategory): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from faq_entries where category = ${category} order by position, slug for update`;
  return rows.map((r) => r.id);
}

/** Numbers a category's entries 10, 20, 30… in the order of `ids`. */
export async function setCategoryOrder(sql: Sql, ids: string[]): Promise<void> {
  await sql`
    update faq_entries f set position = o.n * 10, updated_at = now()
    from unnest(${ids}::uuid[]) with ordinality as o(id, n)
    where f.id = o.id`;
}
