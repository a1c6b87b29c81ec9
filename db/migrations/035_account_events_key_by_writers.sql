-- Ingest efficiency (issue 15): `account_events` drops its foreign key to `accounts`. The key checked every
-- event row on its own (a nested `select … for key share` of the account per row: ten a batch-10 batch, the
-- biggest part of the 0.18–0.23 ms of database CPU per batch that the keys to `accounts` cost,
-- bench/engine_ablate.ts), and each of those checks re-proved what the statement inserting the row had already
-- proved. The integrity stays, kept by the only writers of events (tests/trader_days_test.ts fails when another
-- module inserts them):
-- - the sync group write (services/accounts/sync_fast.ts) inserts events only joined to the rows its own
--   compare-and-set `update accounts … returning` changed: the account exists and this statement holds its row
--   lock until commit, so no delete of it can commit in between (a delete that came first leaves the update, and
--   so the events, with no row);
-- - `persistChange` (services/accounts/persist.ts) runs after `lockAccount` (`select … for update`) in the same
--   transaction, and refuses a missing account before it writes;
-- - the venue's mark writer (services/venue/mark_writer.ts) inserts only for the rows its own update returned,
--   as the sync write does.
-- The key's `on delete cascade` is kept by the trigger below (an account is deleted only by retention's purge
-- of an erased user, services/privacy/prune.ts). tests/account_events_integrity_test.ts checks both: an
-- account deleted while its batch is being written leaves no event, and deleting an account deletes its events.
-- The other tables a batch writes keep their keys: a row or two each a batch, and writers beyond these three.
alter table account_events drop constraint account_events_account_id_fkey;

create function account_events_delete_with_accounts() returns trigger language plpgsql as $$
begin
  delete from account_events e using gone g where e.account_id = g.id;
  return null;
end
$$;
create trigger accounts_delete_events after delete on accounts
  referencing old table as gone for each statement execute function account_events_delete_with_accounts();
