-- Challenges engine: coupons, orders and payment events, the evaluated state of each account, the applied sync
-- events (idempotency), the per-account change log (SSE resume), breaches and daily statistics.

create table coupons (
  id uuid primary key default gen_random_uuid(),
  -- Codes are matched case-insensitively and stored upper-case.
  code text not null check (code ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'),
  kind text not null check (kind in ('percent', 'amount')),
  -- percent: (0, 100]; amount: money in `currency`.
  value numeric(12, 2) not null check (value > 0),
  currency char(3) check (currency ~ '^[A-Z]{3}$'),
  -- Null: every plan.
  plan_ids uuid[],
  starts_at timestamptz,
  expires_at timestamptz,
  max_redemptions int check (max_redemptions > 0),
  max_per_user int check (max_per_user > 0),
  -- Paid orders that used the coupon; kept in step with `orders` in the payment transaction.
  redemptions int not null default 0 check (redemptions >= 0),
  active boolean not null default true,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (kind <> 'percent' or value <= 100),
  check (kind <> 'amount' or currency is not null),
  check (expires_at is null or starts_at is null or expires_at > starts_at)
);
create unique index coupons_code_key on coupons (code);

create table orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete restrict,
  plan_version_id uuid not null references plan_versions (id) on delete restrict,
  coupon_id uuid references coupons (id) on delete restrict,
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  list_price numeric(12, 2) not null check (list_price >= 0),
  discount numeric(12, 2) not null default 0 check (discount >= 0),
  amount numeric(12, 2) not null check (amount >= 0),
  status text not null default 'pending' check (status in ('pending', 'paid', 'failed', 'cancelled', 'refunded')),
  provider text not null check (provider ~ '^[a-z][a-z0-9_]*$'),
  -- The provider's payment/session id, once it has one.
  provider_ref text,
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (amount = list_price - discount),
  check ((status = 'paid') = (paid_at is not null) or status = 'refunded')
);
create index orders_user_idx on orders (user_id, created_at desc);
create unique index orders_provider_ref_key on orders (provider, provider_ref) where provider_ref is not null;
create index orders_coupon_idx on orders (coupon_id, user_id) where coupon_id is not null;

-- Webhook deliveries already handled: a provider re-sending an event id gets the first outcome.
create table payment_events (
  provider text not null,
  event_id text not null,
  type text not null,
  order_id uuid references orders (id) on delete set null,
  received_at timestamptz not null default now(),
  payload jsonb not null,
  primary key (provider, event_id)
);

alter table challenges add column order_id uuid unique references orders (id) on delete restrict;

-- The engine's evaluated state lives beside the account row it summarises; both change in one transaction.
alter table accounts
  add column plan_version_id uuid references plan_versions (id) on delete restrict,
  add column daily_floor numeric(15, 2),
  add column max_floor numeric(15, 2),
  -- services/engine/state.ts stateToJson: the whole evaluated state (positions, day, floors, evidence).
  add column engine_state jsonb,
  -- +1 per applied event and per rolled reset; the SSE event id.
  add column state_version int not null default 0 check (state_version >= 0),
  add column last_event_at timestamptz,
  -- When the current trading day closes: the reset scheduler rolls accounts whose time has come.
  add column next_reset_at timestamptz;
create index accounts_next_reset_idx on accounts (next_reset_at) where status in ('active', 'paused');

-- Every applied sync event, once: (account, event id) is the idempotency key.
create table account_events (
  account_id uuid not null references accounts (id) on delete cascade,
  event_id text not null,
  type text not null check (type in ('trade_open', 'trade_close', 'equity')),
  at timestamptz not null,
  payload jsonb not null,
  -- The account's state version right after this event.
  state_version int not null,
  received_at timestamptz not null default now(),
  primary key (account_id, event_id)
);
create index account_events_at_idx on account_events (account_id, at);

-- One row per committed change of an account (a sync batch, a reset, an admin action): what SSE replays
-- after Last-Event-ID. `state_version` is the account's version after the change.
create table account_changes (
  account_id uuid not null references accounts (id) on delete cascade,
  state_version int not null,
  at timestamptz not null default now(),
  kind text not null check (kind in ('sync', 'reset', 'admin', 'lifecycle')),
  -- The account summary after the change and the verdicts it produced.
  payload jsonb not null,
  primary key (account_id, state_version)
);

create table breaches (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  rule text not null check (rule in ('daily_loss', 'max_loss', 'time_limit')),
  action text not null check (action in ('fail', 'pause')),
  at timestamptz not null,
  inputs_hash text not null,
  evidence jsonb not null,
  created_at timestamptz not null default now()
);
create index breaches_account_idx on breaches (account_id, at desc);

-- Per account per trading day (in the plan's zone): what the dashboard and statistics read.
create table daily_stats (
  account_id uuid not null references accounts (id) on delete cascade,
  trading_day date not null,
  opens_at timestamptz not null,
  sod_balance numeric(15, 2) not null,
  sod_equity numeric(15, 2) not null,
  high_equity numeric(15, 2) not null,
  low_equity numeric(15, 2) not null,
  close_balance numeric(15, 2) not null,
  close_equity numeric(15, 2) not null,
  pnl numeric(15, 2) not null default 0,
  trades_opened int not null default 0,
  primary key (account_id, trading_day)
);
