-- Ingest efficiency (issue 15): the active-trader rollups (trader_days/weeks/months: a trader counts on each UTC
-- day, ISO week and month in which one of their accounts has an event, DESIGN §3.4) are written by the
-- statements that write the events, no longer by a statement trigger on `account_events`. The trigger cost
-- every demo-sync group write a capture of its events into a transition table, a PL/pgSQL call and a nested
-- statement that looked each account up again (0.17 ms of ~0.9 ms database CPU per batch-10 batch,
-- bench/engine_ablate.ts); the group write now inserts the day rows itself in one more CTE, with the user id its
-- account update already returns and the UTC days the app computed (services/accounts/trader_days.ts).
--
-- The writers of events are the sync group write (sync_fast.ts, inline), `persistChange` (persist.ts: sync's
-- transaction, resets, payouts) and the venue's mark writer (mark_writer.ts): the last two call
-- `note_trader_days` below in the same transaction as their events. tests/trader_days_test.ts checks every one
-- of them against a recomputation from the events, and that no other module inserts events.
--
-- The days stay UTC (the analytics periods are UTC, §3.4), not the plan's trading day: an event at 23:30 UTC
-- and one at 00:30 UTC the next day are two trader days even when both fall in one Europe/Prague trading day.
drop trigger account_events_trader_days on account_events;
drop function note_trader_days();

-- Notes the UTC day (and ISO week, month) of each event instant `ats[i]` for the owner of `account_ids[i]`.
-- Week and month rows are written only for day rows that are new (one a trader per UTC day), as before.
create function note_trader_days(account_ids uuid[], ats timestamptz[]) returns void language plpgsql as $$
begin
  with d as (
    insert into trader_days (day, user_id)
    select distinct e.day, a.user_id
    from (select distinct (x.at at time zone 'UTC')::date as day, x.account_id
          from unnest(account_ids, ats) as x(account_id, at)) e
    join accounts a on a.id = e.account_id
    on conflict do nothing
    returning day, user_id
  ), w as (
    insert into trader_weeks (week, user_id)
    select distinct day - (extract(isodow from day)::int - 1), user_id from d
    on conflict do nothing
  )
  insert into trader_months (month, user_id)
  select distinct day - (extract(day from day)::int - 1), user_id from d
  on conflict do nothing;
end
$$;
