-- Ingest efficiency (issue 15): every demo-sync batch rewrites its account row, and a trading day's row on
-- every batch of that day. Free room on their pages lets PostgreSQL update them in place ("HOT": the engine
-- changes no indexed column of either), so a batch does not add an entry to each of the six indexes of
-- `accounts` and leaves less for vacuum. Applies to pages written from now on (existing ones as they fill).
alter table accounts set (fillfactor = 70);
alter table daily_stats set (fillfactor = 80);
