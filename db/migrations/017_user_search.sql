-- The back office's user list (issue #13): search by email or name, case-insensitive, as a substring, and
-- sort by signup, email or name with keyset pages — within 30 ms at 100,000 users (bench/admin_users.ts).

-- Trigram indexes answer `like '%…%'` on any substring of 3+ characters. pg_trgm ships with PostgreSQL's
-- contrib and with PGlite (loaded in db/embedded.ts); it is a trusted extension, so the database owner may
-- create it. It lives in `public`, once per database, whatever schema the app runs in (tests use one schema
-- each and drop it; an extension inside one would go with it): queries use only the built-in `~~` operator,
-- and only the index below names the operator class. The lock keeps concurrent migrations of different
-- schemas from racing to create it.
select pg_advisory_xact_lock(hashtext('extension pg_trgm'));
create schema if not exists public;
create extension if not exists pg_trgm with schema public;

-- What a search matches: the address and the name, lower-cased, in one text (users.search_text() is not a
-- column so nothing has to keep it in step; the expression must be written exactly like this in queries).
create index users_search_trgm_idx on users
  using gin ((lower(email) || ' ' || lower(first_name) || ' ' || lower(last_name)) public.gin_trgm_ops);
-- Searches shorter than 3 characters have no trigram: they match the start of the address instead.
create index users_email_prefix_idx on users (lower(email) text_pattern_ops);

-- The list's orders, each with the id as the tie-breaker the keyset cursor needs. (Email order uses the
-- unique users_email_lower_key: the address alone is a key.)
create index users_created_idx on users (created_at desc, id desc);
create index users_name_idx on users (lower(last_name), lower(first_name), id);

-- "Has a funded account" is a filter and a column of the list: one index probe per user.
create index accounts_user_funded_idx on accounts (user_id) where type = 'funded';

-- The audit viewer pages newest first by (at, id), the id breaking ties between entries of one transaction;
-- filtered by action it reads the second index (by actor, audit_log_actor_idx; by target, _target_idx).
create index audit_log_at_id_idx on audit_log (at desc, id desc);
create index audit_log_action_idx on audit_log (action, at desc, id desc);
