-- Core domain tables. Schema-agnostic (no schema prefixes): it runs in whatever schema is first on the
-- search_path, on PostgreSQL 15 and on PGlite alike. Money is numeric, never float.

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = btrim(email) and email like '%_@_%'),
  password_hash text not null,
  first_name text not null default '',
  last_name text not null default '',
  country char(2) check (country ~ '^[A-Z]{2}$'),
  time_zone text not null default 'UTC',
  role text not null default 'trader' check (role in ('trader', 'support', 'risk', 'admin')),
  status text not null default 'active' check (status in ('active', 'suspended', 'closed')),
  email_verified_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Emails are unique regardless of case; lookups use lower(email) too.
create unique index users_email_lower_key on users (lower(email));

create table plans (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  family text not null,
  name text not null,
  active boolean not null default true,
  current_version int not null default 1 check (current_version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index plans_family_idx on plans (family) where active;

-- Rules are immutable once sold: editing a plan adds a version, and accounts keep the one they bought.
create table plan_versions (
  id uuid primary key default gen_random_uuid(),
  plan_id uuid not null references plans (id) on delete cascade,
  version int not null check (version > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  initial_balance numeric(15, 2) not null check (initial_balance > 0),
  price numeric(12, 2) not null check (price >= 0),
  definition jsonb not null check (jsonb_typeof(definition) = 'object'),
  created_at timestamptz not null default now(),
  unique (plan_id, version)
);

create table challenges (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete restrict,
  plan_version_id uuid not null references plan_versions (id) on delete restrict,
  status text not null default 'pending_payment'
    check (status in ('pending_payment', 'active', 'passed', 'failed', 'cancelled')),
  current_phase int not null default 1 check (current_phase > 0),
  started_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz not null default now(),
  check (ended_at is null or started_at is null or ended_at >= started_at)
);
create index challenges_user_id_idx on challenges (user_id, created_at desc);
create index challenges_plan_version_id_idx on challenges (plan_version_id);

create table accounts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete restrict,
  challenge_id uuid references challenges (id) on delete restrict,
  phase int check (phase > 0),
  type text not null check (type in ('challenge', 'funded', 'demo')),
  status text not null default 'pending'
    check (status in ('pending', 'active', 'paused', 'passed', 'failed', 'pending_kyc', 'closed')),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  initial_balance numeric(15, 2) not null check (initial_balance > 0),
  balance numeric(15, 2) not null,
  equity numeric(15, 2) not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- A challenge account belongs to a challenge phase; a demo account to no challenge.
  check (type <> 'challenge' or (challenge_id is not null and phase is not null)),
  check (type <> 'demo' or challenge_id is null)
);
create index accounts_user_id_idx on accounts (user_id, created_at desc);
create index accounts_challenge_id_idx on accounts (challenge_id) where challenge_id is not null;

create table trades (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  -- The platform's own trade id: a re-sent event maps to the same row.
  external_id text not null,
  symbol text not null check (symbol <> ''),
  direction text not null check (direction in ('buy', 'sell')),
  volume numeric(15, 5) not null check (volume > 0),
  entry_price numeric(20, 8) not null check (entry_price > 0),
  exit_price numeric(20, 8) check (exit_price > 0),
  pnl numeric(15, 2),
  status text not null default 'open' check (status in ('open', 'closed')),
  opened_at timestamptz not null,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  unique (account_id, external_id),
  check (
    (status = 'open' and closed_at is null and exit_price is null)
    or (status = 'closed' and closed_at is not null and exit_price is not null and pnl is not null)
  ),
  check (closed_at is null or closed_at >= opened_at)
);
-- Trade history pages by (opened_at, id) keyset, newest first.
create index trades_account_opened_idx on trades (account_id, opened_at desc, id desc);
-- The engine asks for an account's open positions on every equity event.
create index trades_account_open_idx on trades (account_id) where status = 'open';

create table payouts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete restrict,
  account_id uuid not null references accounts (id) on delete restrict,
  amount numeric(15, 2) not null check (amount > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  status text not null default 'pending'
    check (status in ('pending', 'approved', 'rejected', 'paid', 'cancelled')),
  requested_at timestamptz not null default now(),
  processed_at timestamptz,
  created_at timestamptz not null default now(),
  check (status <> 'pending' or processed_at is null)
);
create index payouts_user_id_idx on payouts (user_id, requested_at desc);
create index payouts_account_id_idx on payouts (account_id, requested_at desc);
create index payouts_pending_idx on payouts (requested_at) where status = 'pending';

-- Append-only. Rows outlive the users they mention: deleting a user keeps the trail, without the link.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id uuid references users (id) on delete set null,
  action text not null,
  target_type text,
  target_id text,
  ip text,
  user_agent text,
  details jsonb not null default '{}'
);
create index audit_log_at_idx on audit_log (at desc);
create index audit_log_actor_idx on audit_log (actor_id, at desc) where actor_id is not null;
create index audit_log_target_idx on audit_log (target_type, target_id, at desc);
