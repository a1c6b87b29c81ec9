-- The built-in venue's book (DESIGN §3.5): positions with their stop-loss / take-profit, and orders (market
-- orders filled at once, limit and stop orders pending until a tick triggers them). The engine's own view of
-- an account's positions stays in accounts.engine_state and `trades`; a venue position names its engine trade
-- by `trade_id` (= trades.external_id). A partial close closes that engine trade and opens the remainder as a
-- new one, so `trade_id` moves on while the position keeps its id (services/venue/positions.ts).
create table venue_positions (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  trade_id text not null,
  symbol text not null references venue_instruments (symbol) on update cascade,
  direction text not null check (direction in ('buy', 'sell')),
  volume numeric(15, 5) not null check (volume > 0),
  open_price numeric(20, 8) not null check (open_price > 0),
  opened_at timestamptz not null,
  sl numeric(20, 8) check (sl > 0),
  tp numeric(20, 8) check (tp > 0),
  status text not null default 'open' check (status in ('open', 'closed')),
  close_price numeric(20, 8),
  closed_at timestamptz,
  -- Why it closed: the trader, a stop-loss, a take-profit, or the liquidation after a breach or pause.
  close_reason text check (close_reason in ('trader', 'sl', 'tp', 'breach', 'blocked')),
  unique (account_id, trade_id),
  check ((status = 'open') = (closed_at is null))
);
create index venue_positions_open_idx on venue_positions (account_id) where status = 'open';

create table venue_orders (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  symbol text not null references venue_instruments (symbol) on update cascade,
  direction text not null check (direction in ('buy', 'sell')),
  type text not null check (type in ('market', 'limit', 'stop')),
  volume numeric(15, 5) not null check (volume > 0),
  -- The trigger price of a limit or stop order (null for a market order).
  price numeric(20, 8) check (price > 0),
  sl numeric(20, 8) check (sl > 0),
  tp numeric(20, 8) check (tp > 0),
  status text not null check (status in ('pending', 'filled', 'cancelled', 'rejected')),
  -- The Idempotency-Key the trader sent: the same key again answers with this order.
  idempotency_key text,
  position_id uuid references venue_positions (id) on delete set null,
  fill_price numeric(20, 8),
  -- Why a triggered order was not filled (a refusal code and its sentence).
  reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (account_id, idempotency_key),
  check ((type = 'market') = (price is null))
);
create index venue_orders_pending_idx on venue_orders (account_id) where status = 'pending';
