-- GDPR (issue #15): erasure and retention.
--
-- An erased user keeps their row (status 'closed'), anonymised, so the financial records that must be kept
-- (orders, payouts, accounts, trades, breaches) stay linked to someone; `erased_at` says when, and is what
-- the retention periods of those records and of identity documents count from (services/retention.ts).
alter table users add column erased_at timestamptz;
alter table users add constraint users_erased_closed check (erased_at is null or status = 'closed');
create index users_erased_idx on users (erased_at) where erased_at is not null;

-- Session pruning deletes sessions ended (revoked or expired) longer ago than the retention period.
create index auth_sessions_ended_idx on auth_sessions ((coalesce(revoked_at, expires_at)));
