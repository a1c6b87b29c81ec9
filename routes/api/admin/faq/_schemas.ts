/** Response shapes of the FAQ admin API (documentation; the data comes from services/faq/admin_queries.ts). */
import { z } from "zod";
import { FAQ_CATEGORIES } from "../../../../services/faq/search.ts";

export const faqEntrySchema = z.object({
  id: z.string(),
  category: z.enum(FAQ_CATEGORIES),
  slug: z.string().describe("The anchor on /faq."),
  question: z.string(),
  answer: z.string().describe("Plain text; paragraphs separated by blank lines."),
  position: z.int().describe("Order within the category, lowest first."),
  published: z.boolean(),
  updatedAt: z.string(),
});

/** A malformed id answers like an unknown one (`define.api` turns the refusal into this 404). */
export const faqParams = z.object({ id: z.uuid("No such entry.") });
