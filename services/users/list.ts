/**
 * The back office's user list: search by email or name, filters, three orders, keyset pages. Fast at
 * 100,000 users (bench/admin_users.ts): a search of 3+ characters reads the trigram index of the stored
 * search key (migration 030), a shorter one the address prefix index (017), each order has its own index to
 * walk, and a role or status filter its own range of the signup order (030).
 */
import { z } from "zod";
import type { Sql } from "../../db/client.ts";
import { ROLES } from "../auth/roles.ts";
import type { KycStatus } from "../kyc/status.ts";
import { CURSOR_PART, decodeCursor, encodeCursor } from "./cursor.ts";

export const USER_STATUSES = ["active", "suspended", "closed"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const KYC_STATUSES = ["none", "submitted", "approved", "rejected"] as const;
export const USER_SORTS = ["created", "email", "name"] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** The list's query, shared by the API and the page (both read it from the query string). */
export const userListQuery = z.object({
  q: z.string().trim().max(100, "is at most 100 characters").optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(USER_STATUSES).optional(),
  kyc: z.enum(KYC_STATUSES).optional(),
  funded: z.enum(["yes", "no"]).optional(),
  sort: z.enum(USER_SORTS).optional(),
  cursor: z.string().max(800).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type UserListQuery = z.infer<typeof userListQuery>;

/** One user as the list shows them. */
export interface UserListItem {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  role: (typeof ROLES)[number];
  status: UserStatus;
  kycStatus: KycStatus;
  hasFunded: boolean;
  accounts: number;
  createdAt: string;
}

interface Row {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: UserListItem["role"];
  status: UserStatus;
  kyc_status: KycStatus;
  has_funded: boolean;
  accounts: number;
  created_at: Date;
  created_key: string;
  email_key: string;
  last_key: string;
  first_key: string;
}

/** `like` treats `%`, `_` and `\` specially: a search for "a_b" means those three characters. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const CURSOR_PARTS: Record<UserSort, RegExp[]> = {
  created: [CURSOR_PART.at, CURSOR_PART.uuid],
  email: [CURSOR_PART.text],
  name: [CURSOR_PART.text, CURSOR_PART.text, CURSOR_PART.uuid],
};

/** A page of users in the chosen order (newest first by default) and the next page's cursor. */
export async function listUsers(
  sql: Sql,
  query: UserListQuery,
): Promise<{ items: UserListItem[]; nextCursor: string | null }> {
  const sort = query.sort ?? "created";
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor, CURSOR_PARTS[sort]) : null;
  const q = (query.q ?? "").toLowerCase();
  const search = q.length >= 3
    // The stored key of migration 030 (email and names, lower-cased), trigram-indexed.
    ? sql`and u.search_key like ${`%${likeEscape(q)}%`}`
    : q
    ? sql`and lower(u.email) like ${`${likeEscape(q)}%`}`
    : sql``;
  const latestKyc = sql`(select k.status from kyc_submissions k where k.user_id = u.id
                         order by k.submitted_at desc, k.id desc limit 1)`;
  const funded = sql`exists (select 1 from accounts a where a.user_id = u.id and a.type = 'funded')`;
  const kyc = !query.kyc
    ? sql``
    : query.kyc === "none"
    ? sql`and not exists (select 1 from kyc_submissions k where k.user_id = u.id)`
    // The users whose latest submission has this status, as a set (a hash semi-join), not a probe per row.
    : sql`and u.id in (select k.user_id from kyc_submissions k where k.status = ${query.kyc}
            and not exists (select 1 from kyc_submissions n where n.user_id = k.user_id
                              and (n.submitted_at, n.id) > (k.submitted_at, k.id)))`;
  const keyset = !after
    ? sql``
    : sort === "created"
    ? sql`and (u.created_at, u.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
    : sort === "email"
    ? sql`and lower(u.email) > ${after[0]}`
    : sql`and (lower(u.last_name), lower(u.first_name), u.id) > (${after[0]}, ${after[1]}, ${
      after[2]
    }::uuid)`;
  // With a search, name and email order sort the matches (`|| ''` hides the order's index): walking the
  // index in order and testing each row against the search read 40 % of the table for a common last name.
  const hide = q ? sql`|| ''` : sql``;
  const order = sort === "created"
    ? sql`u.created_at desc, u.id desc`
    : sort === "email"
    ? sql`lower(u.email) ${hide}`
    : sql`lower(u.last_name) ${hide}, lower(u.first_name), u.id`;
  // The page is chosen first; only its rows then pay for the KYC, funded and account-count look-ups (in the
  // select list of one query they ran for every match before the sort, 200 ms for a common name).
  const rows = await sql<Row[]>`
    select u.*, u.created_at::text as created_key, lower(u.email) as email_key,
           lower(u.last_name) as last_key, lower(u.first_name) as first_key,
           coalesce(${latestKyc}, 'none') as kyc_status,
           ${funded} as has_funded,
           (select count(*)::int from accounts a where a.user_id = u.id) as accounts
    from (
      select u.id, u.email, u.first_name, u.last_name, u.role, u.status, u.created_at
      from users u
      where true ${search} ${kyc}
        ${query.role ? sql`and u.role = ${query.role}` : sql``}
        ${query.status ? sql`and u.status = ${query.status}` : sql``}
        ${
    query.funded === "yes" ? sql`and ${funded}` : query.funded === "no" ? sql`and not ${funded}` : sql``
  }
        ${keyset}
      order by ${order}
      limit ${limit + 1}
    ) u
    order by ${order}`;
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page.at(-1)! : null;
  return {
    items: page.map(toItem),
    nextCursor: !last ? null : encodeCursor(
      sort === "created"
        ? [last.created_key, last.id]
        : sort === "email"
        ? [last.email_key]
        : [last.last_key, last.first_key, last.id],
    ),
  };
}

function toItem(r: Row): UserListItem {
  return {
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role,
    status: r.status,
    kycStatus: r.kyc_status,
    hasFunded: r.has_funded,
    accounts: r.accounts,
    createdAt: r.created_at.toISOString(),
  };
}
