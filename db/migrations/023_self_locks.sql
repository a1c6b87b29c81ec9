-- Self-locks (DESIGN §3.5): limits a trader sets on their own account and the server enforces. One row per
-- account that has ever set one; no row = no self-locks. Null = that lock is off.
create table account_self_locks (
  account_id uuid primary key references accounts (id) on delete cascade,
  -- Personal daily loss limit, money in the account's currency: the day's loss (start-of-day balance minus
  -- the day's lowest equity, i.e. realized + unrealized) at which trading stops until the next reset.
  daily_loss_limit numeric(15, 2) check (daily_loss_limit > 0),
  -- Trades opened per trading day (the plan's reset and zone) at most.
  max_trades_per_day int check (max_trades_per_day between 1 and 1000),
  -- After this many consecutive losing closed trades, no new trade for cooldown_minutes.
  cooldown_losses int check (cooldown_losses between 1 and 100),
  cooldown_minutes int check (cooldown_minutes between 1 and 10080),
  check ((cooldown_losses is null) = (cooldown_minutes is null)),
  -- Loosening waits for the next daily reset: the requested values (a key present = a pending change, a null
  -- value = the lock is being removed) and the reset at which they apply.
  pending jsonb,
  pending_at timestamptz,
  check ((pending is null) = (pending_at is null)),
  updated_at timestamptz not null default now()
);
