-- Ingest efficiency (issue 15): the active-trader rollups (trader_days/weeks/months: a trader counts on each UTC
-- day, ISO week and month in which one of their accounts has an event, DESIGN §3.4) are written by the
-- statements that write the events, no longer by a statement trigger on `account_events`. The trigger cost
-- every demo-sync group write a capture of its events into a transition table, a PL/pgSQL call and a nested
-- statement of three inserts that looked each account up again (0.17 ms of ~0.9 ms database CPU per batch-10
-- batch, bench/engine_ablate.ts). The group write now inserts the day rows itself, in one more CTE, from the
-- events it wrote and the user id its own account update returns.
--
-- A week's and a month's row follow from a day row that is new (once a trader per UTC day), so they are kept
-- by a row trigger on `trader_days` itself: it fires only for a day row actually inserted, never for the
-- batches of a trader already noted that day, and keeps the three tables consistent whoever inserts a day.
--
-- The writers of events are the sync group write (services/accounts/sync_fast.ts, inline), `persistChange`
-- (persist.ts: sync's transaction, resets, payouts) and the venue's mark writer (mark_writer.ts): the last two
-- call `note_trader_days` below in the same transaction as their events. tests/trader_days_test.ts checks each
-- of them against a recomputation from the events, and that no other module inserts events.
--
-- The days stay UTC (the analytics periods are UTC, §3.4), not the plan's trading day: an event at 23:30 UTC
-- and one at 00:30 UTC the next day are two trader days even when both fall in one Europe/Prague trading day.
drop trigger account_events_trader_days on account_events;
drop function note_trader_days();

create function trader_days_roll_up() returns trigger language plpgsql as $$
begin
  insert into trader_weeks (week, user_id)
  values (new.day - (extract(isodow from new.day)::int - 1), new.user_id)
  on conflict do nothing;
  insert into trader_months (month, user_id)
  values (new.day - (extract(day from new.day)::int - 1), new.user_id)
  on conflict do nothing;
  return null;
end
$$;
create trigger trader_days_roll_up after insert on trader_days
  for each row execute function trader_days_roll_up();

-- Notes the UTC day of each event instant `ats[i]` for the owner of `account_ids[i]` (weeks and months follow).
-- PL/pgSQL keeps the statement's plan for the session (a SQL function would plan it on every call).
create function note_trader_days(account_ids uuid[], ats timestamptz[]) returns void language plpgsql as $$
begin
  insert into trader_days (day, user_id)
  select distinct (x.at at time zone 'UTC')::date, a.user_id
  from unnest(account_ids, ats) as x(account_id, at) join accounts a on a.id = x.account_id
  on conflict do nothing;
end
$$;
