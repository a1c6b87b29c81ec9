/**
 * The FAQ's pure part: categories, labels and the search rule. No I/O and no server import, because the
 * search island ships this module to the browser and the server filters with it too (no-JS `?q=`).
 */

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
