/** Queries over `testimonials`: written by staff in the back office, shown on the home page once published. */
import type { Db, Sql } from "../../db/client.ts";

/** What the home page shows of a published testimonial. */
export type PublishedTestimonial = {
  id: string;
  quote: string;
  authorName: string;
  authorDetail: string;
};

/** A testimonial as the back office edits it. */
export type Testimonial = PublishedTestimonial & {
  position: number;
  published: boolean;
  updatedAt: Date;
};

/** The editable fields; `quote` and `authorName` are stored trimmed (the table checks their trimmed length). */
export type TestimonialInput = {
  quote: string;
  authorName: string;
  authorDetail: string;
  position: number;
  published: boolean;
};

const sqlOf = (db: Db | Sql): Sql => (typeof db === "function" ? db : db.sql);

/** Published testimonials in page order (position, then oldest first); the home page shows at most `limit`. */
export async function listPublishedTestimonials(db: Db | Sql, limit = 6): Promise<PublishedTestimonial[]> {
  return await sqlOf(db)<PublishedTestimonial[]>`
    select id, quote, author_name as "authorName", author_detail as "authorDetail"
    from testimonials
    where published
    order by position, created_at, id
    limit ${limit}`;
}

/** Every testimonial, published or not, in page order. */
export async function listTestimonials(db: Db | Sql): Promise<Testimonial[]> {
  return await sqlOf(db)<Testimonial[]>`
    select id, quote, author_name as "authorName", author_detail as "authorDetail", position, published,
           updated_at as "updatedAt"
    from testimonials
    order by position, created_at, id`;
}

/** One testimonial, or null. */
export async function findTestimonial(db: Db | Sql, id: string): Promise<Testimonial | null> {
  const [row] = await sqlOf(db)<Testimonial[]>`
    select id, quote, author_name as "authorName", author_detail as "authorDetail", position, published,
           updated_at as "updatedAt"
    from testimonials where id = ${id}`;
  return row ?? null;
}

/** Inserts a testimonial and returns its id. */
export async function insertTestimonial(
  tx: Sql,
  input: TestimonialInput,
  createdBy: string | null,
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into testimonials (quote, author_name, author_detail, position, published, created_by)
    values (${input.quote.trim()}, ${input.authorName.trim()}, ${input.authorDetail.trim()}, ${input.position},
            ${input.published}, ${createdBy})
    returning id`;
  return row.id;
}

/** Replaces a testimonial's fields; false when there is no such row. */
export async function updateTestimonial(tx: Sql, id: string, input: TestimonialInput): Promise<boolean> {
  const rows = await tx`
    update testimonials
    set quote = ${input.quote.trim()}, author_name = ${input.authorName.trim()},
        author_detail = ${input.authorDetail.trim()}, position = ${input.position},
        published = ${input.published}, updated_at = now()
    where id = ${id}`;
  return rows.count > 0;
}

/** Publishes or withdraws a testimonial; false when there is no such row. */
export async function setTestimonialPublished(tx: Sql, id: string, published: boolean): Promise<boolean> {
  const rows = await tx`
    update testimonials set published = ${published}, updated_at = now() where id = ${id}`;
  return rows.count > 0;
}

/** Deletes a testimonial, returning what it was (for the audit trail), or null when there was none. */
export async function deleteTestimonial(tx: Sql, id: string): Promise<Testimonial | null> {
  const [row] = await tx<Testimonial[]>`
    delete from testimonials where id = ${id}
    returning id, quote, author_name as "authorName", author_detail as "authorDetail", position, published,
              updated_at as "updatedAt"`;
  return row ?? null;
}
