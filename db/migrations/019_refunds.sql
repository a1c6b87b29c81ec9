-- Refunds (issue #13): staff give money back through the order's payment provider, fully or in part. Each
-- refund is its own row, so analytics subtract exactly what went back, in the period it went back (DESIGN
-- §3.4), and a retried request with the same idempotency key is the same refund.
create table refunds (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references orders (id) on delete restrict,
  amount numeric(12, 2) not null check (amount > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  reason text not null check (length(reason) between 1 and 1000),
  -- `pending`: asked of a provider that confirms later (its signed `refund.succeeded` webhook);
  -- `succeeded`: the money went back at `succeeded_at`. Over-refunding counts both.
  status text not null check (status in ('pending', 'succeeded')),
  provider text not null check (provider ~ '^[a-z][a-z0-9_]*$'),
  -- The provider's refund id, once it has one.
  provider_ref text,
  -- Who asked (null: the provider reported a refund made on its side, e.g. a chargeback).
  requested_by uuid references users (id) on delete set null,
  idempotency_key text not null check (length(idempotency_key) between 8 and 200),
  created_at timestamptz not null default now(),
  succeeded_at timestamptz,
  check ((status = 'succeeded') = (succeeded_at is not null)),
  unique (order_id, idempotency_key)
);
create index refunds_order_idx on refunds (order_id, created_at);
-- Analytics: refunds by the instant the money went back.
create index refunds_succeeded_idx on refunds (succeeded_at) include (order_id, amount) where status = 'succeeded';

-- The back office's order list: newest first, keyset on (created_at, id), with or without a status filter.
create index orders_created_idx on orders (created_at desc, id desc);
create index orders_status_created_idx on orders (status, created_at desc, id desc);
-- Analytics: paid orders (refunded ones were paid too) by the instant they were paid.
create index orders_paid_idx on orders (paid_at) include (amount, plan_version_id)
  where status in ('paid', 'refunded');
-- Analytics: breaches, payouts decided and paid, by instant.
create index breaches_at_idx on breaches (at) include (rule, action);
create index payouts_approved_idx on payouts (approved_at) where approved_at is not null;
create index payouts_paid_idx on payouts (paid_at) where paid_at is not null;

-- Active traders (analytics §3.4: distinct traders with an event in a period) without reading every event:
-- one row per trader per UTC day with an event, kept by the insert of the events themselves. A statement
-- trigger (one insert per sync batch, not per event) over the batch's rows; re-sent events add nothing.
create table trader_days (
  day date not null,
  user_id uuid not null references users (id) on delete cascade,
  primary key (day, user_id)
);
create function note_trader_days() returns trigger language plpgsql as $$
begin
  insert into trader_days (day, user_id)
  select distinct (n.at at time zone 'UTC')::date, a.user_id
  from new_events n join accounts a on a.id = n.account_id
  on conflict do nothing;
  return null;
end
$$;
create trigger account_events_trader_days after insert on account_events
  referencing new table as new_events for each statement execute function note_trader_days();
insert into trader_days (day, user_id)
select distinct (e.at at time zone 'UTC')::date, a.user_id from account_events e join accounts a on a.id = e.account_id
on conflict do nothing;
