-- Built-in demo venue, prices (issue #14, DESIGN §3.5): the instruments staff edit at /admin/instruments, the
-- ticks and 1-minute bars the feed writes (bounded retention: services/venue/retention.ts), and the last quote
-- of each symbol so a restarted process shows prices before the next tick (and over a weekend).

create table venue_instruments (
  symbol text primary key check (symbol ~ '^[A-Z0-9]{3,12}$'),
  name text not null check (length(name) between 1 and 100),
  -- Units of the base per lot: 100000 for FX, 100 oz for gold, 1 per index point and per bitcoin.
  contract_size numeric(18, 6) not null check (contract_size > 0),
  tick_size numeric(18, 10) not null check (tick_size > 0),
  quote_currency text not null check (quote_currency ~ '^[A-Z]{3}$'),
  -- Typical ask − bid in price units; the simulator quotes it, rounded to the tick grid.
  spread numeric(18, 10) not null check (spread >= 0),
  -- USD per lot per side.
  commission_per_lot numeric(12, 2) not null check (commission_per_lot >= 0),
  leverage int not null check (leverage between 1 and 1000),
  -- The simulator's one-second standard deviation as a fraction of the price.
  volatility numeric(12, 10) not null check (volatility >= 0 and volatility <= 0.01),
  reference_price numeric(20, 10) not null check (reference_price > 0),
  -- "24/7" or {"timeZone", "open": "HH:MM", "close": "HH:MM", "days": [ISO weekdays that open a session]}.
  hours jsonb not null check (hours = '"24/7"'::jsonb or jsonb_typeof(hours) = 'object'),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- FX trades Sunday 17:05 to Friday 17:00 New York time (22:05/22:00 UTC in winter, an hour earlier in summer),
-- with a 5-minute daily break at the 17:00 rollover; gold and the index CFDs follow the futures day, 18:00 to
-- 17:00 New York with an hour's break; bitcoin never closes. Index CFDs are $1 a point per lot.
insert into venue_instruments
  (symbol, name, contract_size, tick_size, quote_currency, spread, commission_per_lot, leverage, volatility,
   reference_price, hours)
values
  ('EURUSD', 'Euro vs US Dollar', 100000, 0.00001, 'USD', 0.00008, 3.50, 100, 0.00003, 1.08500,
   '{"timeZone": "America/New_York", "open": "17:05", "close": "17:00", "days": [7, 1, 2, 3, 4]}'),
  ('GBPUSD', 'British Pound vs US Dollar', 100000, 0.00001, 'USD', 0.00012, 3.50, 100, 0.00004, 1.27000,
   '{"timeZone": "America/New_York", "open": "17:05", "close": "17:00", "days": [7, 1, 2, 3, 4]}'),
  ('USDJPY', 'US Dollar vs Japanese Yen', 100000, 0.001, 'JPY', 0.012, 3.50, 100, 0.00004, 150.000,
   '{"timeZone": "America/New_York", "open": "17:05", "close": "17:00", "days": [7, 1, 2, 3, 4]}'),
  ('XAUUSD', 'Gold vs US Dollar', 100, 0.01, 'USD', 0.25, 3.50, 50, 0.00006, 2350.00,
   '{"timeZone": "America/New_York", "open": "18:00", "close": "17:00", "days": [7, 1, 2, 3, 4]}'),
  ('US500', 'US 500 Index', 1, 0.1, 'USD', 0.5, 0, 50, 0.00006, 5200.0,
   '{"timeZone": "America/New_York", "open": "18:00", "close": "17:00", "days": [7, 1, 2, 3, 4]}'),
  ('NAS100', 'US Tech 100 Index', 1, 0.1, 'USD', 1.0, 0, 50, 0.00008, 18300.0,
   '{"timeZone": "America/New_York", "open": "18:00", "close": "17:00", "days": [7, 1, 2, 3, 4]}'),
  ('BTCUSD', 'Bitcoin vs US Dollar', 1, 0.01, 'USD', 15.00, 0, 2, 0.00015, 65000.00, '"24/7"');

-- Every quote kept for the retention window (charts, breach evidence). The key makes a replayed webhook batch
-- a no-op and lets the pruner delete one symbol's range by index.
create table venue_ticks (
  symbol text not null references venue_instruments (symbol) on update cascade,
  at timestamptz not null,
  bid numeric(20, 10) not null,
  ask numeric(20, 10) not null check (ask >= bid),
  primary key (symbol, at)
);

-- 1-minute bars of the bid, merged batch by batch: `first_at`/`last_at` say which tick set open/close, so a
-- batch folded in late still leaves the earliest tick's price as open and the latest one's as close.
create table venue_bars (
  symbol text not null references venue_instruments (symbol) on update cascade,
  minute timestamptz not null check (date_trunc('minute', minute) = minute),
  open numeric(20, 10) not null,
  high numeric(20, 10) not null,
  low numeric(20, 10) not null,
  close numeric(20, 10) not null,
  ticks int not null check (ticks > 0),
  first_at timestamptz not null,
  last_at timestamptz not null,
  primary key (symbol, minute)
);

create table venue_quotes (
  symbol text primary key references venue_instruments (symbol) on update cascade,
  bid numeric(20, 10) not null,
  ask numeric(20, 10) not null,
  at timestamptz not null
);
