-- The back office's user search (issue #13: p99 ≤ 30 ms at 100,000 users, bench/admin_users.ts), second pass.
--
-- A search matches `lower(email) || ' ' || lower(first_name) || ' ' || lower(last_name)` (017). The trigram
-- index only narrows the candidates; PostgreSQL then rechecks every candidate row, and with the expression
-- index that meant three lower() calls and three concatenations per row: for a common last name (~5,000
-- matches sorted by name) most of the query's time. The key is now stored in the row (kept by PostgreSQL
-- itself as a generated column) and indexed, so the recheck is one `like` on a stored text.
alter table users add column search_key text generated always as
  (lower(email) || ' ' || lower(first_name) || ' ' || lower(last_name)) stored;
create index users_search_key_trgm_idx on users using gin (search_key public.gin_trgm_ops);
drop index users_search_trgm_idx;

-- Role and status filters in the default order (newest first): the rare values (staff roles, suspended or
-- closed users) were found by walking the whole signup order — 25,000 rows for the 51 support users of a
-- page — and now read their own range.
create index users_role_created_idx on users (role, created_at desc, id desc);
create index users_status_created_idx on users (status, created_at desc, id desc);
