/** Queries over `faq_entries`: the public FAQ, grouped by category on `/faq`. */
import type postgres from "postgres";
import type { Db } from "../../db/client.ts";

/** The FAQ's categories, in the order the page shows them (the table's check constraint lists the same). */
export const FAQ_CATEGORIES = ["general", "challenges", "rules", "payouts", "platform", "account"] as const;
export type FaqCategory = (typeof FAQ_CATEGORIES)[number];

/** A published question and its plain-text answer (paragraphs separated by blank lines). */
export type FaqEntry = {
  id: string;
  category: FaqCategory;
  /** The anchor on `/faq`. */
  slug: string;
  question: string;
  answer: string;
  position: number;
};

export type FaqEntryInput = {
  category: FaqCategory;
  slug: string;
  question: string;
  answer: string;
  position?: number;
  published?: boolean;
};

type Sql = postgres.Sql | postgres.TransactionSql;

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

/** Number of entries, published or not. */
export async function countFaqEntries(db: Db | Sql): Promise<number> {
  const sql = typeof db === "function" ? db : db.sql;
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from faq_entries`;
  return n;
}

/** Category names as the page shows them. */
export const FAQ_CATEGORY_LABELS: Record<FaqCategory, string> = {
  general: "General",
  challenges: "Challenges",
  rules: "Trading rules",
  payouts: "Payouts",
  platform: "Platform",
  account: "Your account",
};

export function isFaqCategory(value: string | null): value is FaqCategory {
  return (FAQ_CATEGORIES as readonly string[]).includes(value ?? "");
}

/** What a search matches against: question and answer, lowercased. */
export function faqSearchText(entry: Pick<FaqEntry, "question" | "answer">): string {
  return `${entry.question}\n${entry.answer}`.toLowerCase();
}

/**
 * Whether an entry's search text matches a query: every word of the query occurs in it, case-insensitively.
 * Shared by the server (no-JS filtering with `?q=`) and the search island, so both agree.
 */
export function matchesFaqQuery(searchText: string, query: string): boolean {
  return query.toLowerCase().split(/\s+/).every((word) => searchText.includes(word));
}
