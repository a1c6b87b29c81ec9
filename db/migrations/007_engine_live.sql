-- The live engine path (services/accounts/ledger.ts): a trade opened while trading was blocked (a daily-loss
-- pause, or an account that had already failed or passed) is kept — it happened on the venue — but flagged,
-- so risk staff can see it and the connector is told to close it.
alter table trades add column opened_while_blocked boolean not null default false;
create index trades_blocked_idx on trades (account_id, opened_at desc) where opened_while_blocked;
