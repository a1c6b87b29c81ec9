-- Equity history (contract B): the live path writes a sample per account per second at most (the last of the
-- second wins: `second` is the key) plus one row per breach or pause, beside the change it belongs to. The
-- equity chart reads buckets of it; statistics read its drawdown.
create table equity_samples (
  account_id uuid not null references accounts (id) on delete cascade,
  -- The exact instant of the sample (the event or reset that produced it).
  at timestamptz not null,
  -- `at` truncated to the second: one regular sample per account per second.
  second timestamptz not null,
  balance numeric(15, 2) not null,
  equity numeric(15, 2) not null,
  daily_floor numeric(15, 2),
  max_floor numeric(15, 2),
  -- The rule a breach or pause row records; null for a regular sample.
  breach text check (breach in ('daily_loss', 'max_loss', 'time_limit')),
  check (second = date_trunc('second', at))
);
create unique index equity_samples_second_key on equity_samples (account_id, second) where breach is null;
create index equity_samples_at_idx on equity_samples (account_id, at);
create index equity_samples_breach_idx on equity_samples (account_id, at) where breach is not null;

-- Trade history over one account filtered by symbol (keyset by opened_at, id like trades_account_opened_idx),
-- and statistics over an account's closed trades in close order.
create index trades_account_symbol_opened_idx on trades (account_id, symbol, opened_at desc, id desc);
create index trades_account_closed_idx on trades (account_id, closed_at, id) where status = 'closed';
