-- Business analytics (DESIGN §3.4, issue #13: a year by month ≤ 200 ms at 100,000 orders and 20,000
-- accounts) read small rollups instead of every order, refund, breach and account. Each rollup is kept by
-- triggers in the same transaction as the rows it sums, so it is never behind them, and is backfilled here.
-- services/analytics/queries.ts reads whole UTC days from the rollups and the rest of a range cut inside a
-- day (an instant `from`/`to`) from the raw rows, so every figure stays exactly what the raw rows give.
-- tests/analytics_rollups_test.ts checks each rollup against a recomputation from the raw tables.
--
-- Rows whose count falls back to zero are removed, so a rollup holds exactly the keys the raw rows have
-- (a plan with no order left must not appear in the revenue by plan).

-- Paid orders (a refunded order was paid too) by the UTC day they were paid, plan and currency.
create table order_days (
  day date not null,
  plan_id uuid not null,
  currency char(3) not null,
  orders int not null,
  gross numeric(16, 2) not null,
  primary key (day, plan_id, currency)
);

-- `sign` +1 adds the order's contribution, −1 takes it back.
create function order_days_apply(o orders, sign int) returns void language plpgsql as $$
declare
  d date := (o.paid_at at time zone 'UTC')::date;
  p uuid;
begin
  if o.status not in ('paid', 'refunded') or o.paid_at is null then return; end if;
  select plan_id into p from plan_versions where id = o.plan_version_id;
  insert into order_days as r (day, plan_id, currency, orders, gross)
  values (d, p, o.currency, sign, sign * o.amount)
  on conflict (day, plan_id, currency)
    do update set orders = r.orders + excluded.orders, gross = r.gross + excluded.gross;
  if sign < 0 then
    delete from order_days where day = d and plan_id = p and currency = o.currency and orders = 0;
  end if;
end
$$;

create function order_days_roll() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then perform order_days_apply(old, -1); end if;
  if tg_op <> 'DELETE' then perform order_days_apply(new, 1); end if;
  return null;
end
$$;
create trigger orders_order_days after insert or delete on orders
  for each row execute function order_days_roll();
-- Only changes that move the order in or out of a day's sums (not every `updated_at` touch).
create trigger orders_order_days_update after update on orders for each row
  when ((old.status, old.paid_at, old.amount, old.currency, old.plan_version_id)
        is distinct from (new.status, new.paid_at, new.amount, new.currency, new.plan_version_id))
  execute function order_days_roll();

insert into order_days (day, plan_id, currency, orders, gross)
select (o.paid_at at time zone 'UTC')::date, v.plan_id, o.currency, count(*), sum(o.amount)
from orders o join plan_versions v on v.id = o.plan_version_id
where o.status in ('paid', 'refunded') and o.paid_at is not null
group by 1, 2, 3;

-- Refunds that went back, by the UTC day they succeeded, the plan of their order and their currency.
create table refund_days (
  day date not null,
  plan_id uuid not null,
  currency char(3) not null,
  refunds int not null,
  amount numeric(16, 2) not null,
  primary key (day, plan_id, currency)
);

create function refund_days_apply(f refunds, sign int) returns void language plpgsql as $$
declare
  d date := (f.succeeded_at at time zone 'UTC')::date;
  p uuid;
begin
  if f.status <> 'succeeded' or f.succeeded_at is null then return; end if;
  select v.plan_id into p from orders o join plan_versions v on v.id = o.plan_version_id where o.id = f.order_id;
  insert into refund_days as r (day, plan_id, currency, refunds, amount)
  values (d, p, f.currency, sign, sign * f.amount)
  on conflict (day, plan_id, currency)
    do update set refunds = r.refunds + excluded.refunds, amount = r.amount + excluded.amount;
  if sign < 0 then
    delete from refund_days where day = d and plan_id = p and currency = f.currency and refunds = 0;
  end if;
end
$$;

create function refund_days_roll() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then perform refund_days_apply(old, -1); end if;
  if tg_op <> 'DELETE' then perform refund_days_apply(new, 1); end if;
  return null;
end
$$;
create trigger refunds_refund_days after insert or delete on refunds
  for each row execute function refund_days_roll();
create trigger refunds_refund_days_update after update on refunds for each row
  when ((old.status, old.succeeded_at, old.amount, old.currency, old.order_id)
        is distinct from (new.status, new.succeeded_at, new.amount, new.currency, new.order_id))
  execute function refund_days_roll();

insert into refund_days (day, plan_id, currency, refunds, amount)
select (f.succeeded_at at time zone 'UTC')::date, v.plan_id, f.currency, count(*), sum(f.amount)
from refunds f join orders o on o.id = f.order_id join plan_versions v on v.id = o.plan_version_id
where f.status = 'succeeded'
group by 1, 2, 3;

-- Breaches (fail and pause) by UTC day and rule.
create table breach_days (
  day date not null,
  rule text not null,
  breaches int not null,
  primary key (day, rule)
);

create function breach_days_roll() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    update breach_days set breaches = breaches - 1
    where day = (old.at at time zone 'UTC')::date and rule = old.rule;
    delete from breach_days where day = (old.at at time zone 'UTC')::date and rule = old.rule and breaches = 0;
  end if;
  if tg_op <> 'DELETE' then
    insert into breach_days as r (day, rule, breaches) values ((new.at at time zone 'UTC')::date, new.rule, 1)
    on conflict (day, rule) do update set breaches = r.breaches + 1;
  end if;
  return null;
end
$$;
create trigger breaches_breach_days after insert or delete on breaches
  for each row execute function breach_days_roll();
create trigger breaches_breach_days_update after update on breaches for each row
  when ((old.at, old.rule) is distinct from (new.at, new.rule))
  execute function breach_days_roll();

insert into breach_days (day, rule, breaches)
select (at at time zone 'UTC')::date, rule, count(*) from breaches group by 1, 2;

-- When an account reached its milestone, one row per account that has one (queries.ts says why these
-- instants): `failed` — a challenge account still failed, at its latest `fail` breach; `passed` — a challenge
-- account passed, when the stage after it opened (its successor's first change row); `funded` — a funded
-- account, when it opened (its first change row). A reinstated account loses its row; a year's rows are one
-- per ended phase, read by instant through the index.
create table account_milestones (
  account_id uuid primary key references accounts (id) on delete cascade,
  kind text not null check (kind in ('passed', 'failed', 'funded')),
  phase int,
  at timestamptz not null
);
create index account_milestones_at_idx on account_milestones (at) include (kind, phase);

-- Recomputes one account's milestone from the raw rows, by the same definitions as the backfill below.
create function account_milestone_refresh(acc uuid) returns void language plpgsql as $$
declare
  a record;
  next_id uuid;
  t timestamptz;
begin
  select id, challenge_id, phase, type, status into a from accounts where id = acc;
  if found and a.type = 'challenge' and a.status = 'failed' then
    select max(at) into t from breaches where account_id = acc and action = 'fail';
  elsif found and a.type = 'challenge' and a.status = 'passed' then
    -- The successor: the next account of the challenge by phase, funded last (as the backfill's lead()).
    select x.next_id into next_id from (
      select id, lead(id) over (order by phase nulls last, created_at) as next_id
      from accounts where challenge_id = a.challenge_id
    ) x where x.id = acc;
    select at into t from account_changes where account_id = next_id and state_version = 0;
  elsif found and a.type = 'funded' then
    select at into t from account_changes where account_id = acc and state_version = 0;
  end if;
  if t is null then
    delete from account_milestones where account_id = acc;
  else
    insert into account_milestones (account_id, kind, phase, at)
    values (acc, case a.type when 'funded' then 'funded' else a.status end, a.phase, t)
    on conflict (account_id) do update set kind = excluded.kind, phase = excluded.phase, at = excluded.at;
  end if;
end
$$;

-- An account's milestone depends on the other accounts of its challenge (its successor), so a change to one
-- refreshes every account of the challenge (at most a few), in id order: two transactions changing sibling
-- accounts then take the milestone rows' locks in the same order and cannot deadlock on them.
create function account_milestones_refresh_around(acc uuid, challenge uuid) returns void language plpgsql as $$
begin
  if challenge is null or not exists (select 1 from accounts where id = acc and challenge_id = challenge) then
    perform account_milestone_refresh(acc); -- deleted, or not (or no longer) in that challenge
  end if;
  if challenge is not null then
    perform account_milestone_refresh(x.id)
    from (select id from accounts where challenge_id = challenge order by id) x;
  end if;
end
$$;

create function account_milestones_on_account() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then perform account_milestones_refresh_around(old.id, old.challenge_id); end if;
  if tg_op <> 'DELETE' then perform account_milestones_refresh_around(new.id, new.challenge_id); end if;
  return null;
end
$$;
create trigger accounts_milestones after insert or delete on accounts
  for each row execute function account_milestones_on_account();
-- Every sync writes `status` back unchanged: only a real change of what the milestone depends on counts.
create trigger accounts_milestones_update after update on accounts for each row
  when ((old.status, old.type, old.phase, old.challenge_id, old.created_at)
        is distinct from (new.status, new.type, new.phase, new.challenge_id, new.created_at))
  execute function account_milestones_on_account();

create function account_milestones_on_change() returns trigger language plpgsql as $$
declare
  acc uuid;
begin
  if tg_op = 'DELETE' then acc := old.account_id; else acc := new.account_id; end if;
  perform account_milestones_refresh_around(acc, (select challenge_id from accounts where id = acc));
  if tg_op = 'UPDATE' and old.account_id <> new.account_id then
    perform account_milestones_refresh_around(old.account_id,
      (select challenge_id from accounts where id = old.account_id));
  end if;
  return null;
end
$$;
-- Only an account's first change row (its opening) matters; a sync writes the others.
create trigger account_changes_milestones after insert on account_changes for each row
  when (new.state_version = 0) execute function account_milestones_on_change();
create trigger account_changes_milestones_delete after delete on account_changes for each row
  when (old.state_version = 0) execute function account_milestones_on_change();
create trigger account_changes_milestones_update after update on account_changes for each row
  when ((old.state_version = 0 or new.state_version = 0) and (old.at, old.state_version, old.account_id)
        is distinct from (new.at, new.state_version, new.account_id))
  execute function account_milestones_on_change();

create function account_milestones_on_breach() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then perform account_milestone_refresh(old.account_id); end if;
  if tg_op <> 'DELETE' then perform account_milestone_refresh(new.account_id); end if;
  return null;
end
$$;
create trigger breaches_milestones after insert or delete on breaches
  for each row execute function account_milestones_on_breach();
create trigger breaches_milestones_update after update on breaches for each row
  when ((old.at, old.action, old.account_id) is distinct from (new.at, new.action, new.account_id))
  execute function account_milestones_on_breach();

insert into account_milestones (account_id, kind, phase, at)
select a.id, 'failed', a.phase, b.at
from (select account_id, max(at) as at from breaches where action = 'fail' group by account_id) b
join accounts a on a.id = b.account_id
where a.type = 'challenge' and a.status = 'failed'
union all
select a.id, 'passed', a.phase, c.at
from (
  select id, phase, status, type,
         lead(id) over (partition by challenge_id order by phase nulls last, created_at) as next_id
  from accounts where challenge_id is not null
) a
join account_changes c on c.account_id = a.next_id and c.state_version = 0
where a.type = 'challenge' and a.status = 'passed'
union all
select a.id, 'funded', a.phase, c.at
from accounts a join account_changes c on c.account_id = a.id and c.state_version = 0
where a.type = 'funded';

-- The milestones by UTC day, kind and phase (what a year's pass rates and funded openings read).
create table milestone_days (
  day date not null,
  kind text not null,
  -- 0 for a funded account (no phase), so the key has no null.
  phase int not null,
  accounts int not null,
  primary key (day, kind, phase)
);

create function milestone_days_roll() returns trigger language plpgsql as $$
begin
  if tg_op <> 'INSERT' then
    update milestone_days set accounts = accounts - 1
    where day = (old.at at time zone 'UTC')::date and kind = old.kind and phase = coalesce(old.phase, 0);
    delete from milestone_days
    where day = (old.at at time zone 'UTC')::date and kind = old.kind and phase = coalesce(old.phase, 0)
      and accounts = 0;
  end if;
  if tg_op <> 'DELETE' then
    insert into milestone_days as r (day, kind, phase, accounts)
    values ((new.at at time zone 'UTC')::date, new.kind, coalesce(new.phase, 0), 1)
    on conflict (day, kind, phase) do update set accounts = r.accounts + 1;
  end if;
  return null;
end
$$;
create trigger account_milestones_days after insert or delete on account_milestones
  for each row execute function milestone_days_roll();
create trigger account_milestones_days_update after update on account_milestones for each row
  when ((old.at, old.kind, old.phase) is distinct from (new.at, new.kind, new.phase))
  execute function milestone_days_roll();

insert into milestone_days (day, kind, phase, accounts)
select (at at time zone 'UTC')::date, kind, coalesce(phase, 0), count(*) from account_milestones group by 1, 2, 3;

-- Active traders: distinct traders per ISO week (its Monday) and per calendar month (its first day), beside
-- the per-day trader_days of migration 019. A year's distinct count then reads about a tenth of the rows.
create table trader_weeks (
  week date not null,
  user_id uuid not null references users (id) on delete cascade,
  primary key (week, user_id)
);
create table trader_months (
  month date not null,
  user_id uuid not null references users (id) on delete cascade,
  primary key (month, user_id)
);

-- Replaces 019's: the week and month rows come only from the days that are new, so a batch of a trader
-- already active that day writes nothing more than before.
create or replace function note_trader_days() returns trigger language plpgsql as $$
begin
  with d as (
    insert into trader_days (day, user_id)
    select distinct (n.at at time zone 'UTC')::date, a.user_id
    from new_events n join accounts a on a.id = n.account_id
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
  return null;
end
$$;

insert into trader_weeks (week, user_id)
select distinct day - (extract(isodow from day)::int - 1), user_id from trader_days;
insert into trader_months (month, user_id)
select distinct day - (extract(day from day)::int - 1), user_id from trader_days;
