-- Statistics of a 10,000-trade account within its budget (DESIGN §5): every read of the closed trades comes
-- from an index alone, in close order, without touching or sorting the heap rows.
-- The closed trades in close order, carrying every column the per-day/symbol/direction sums and the
-- closed-balance curve read (index-only scans once autovacuum has marked the pages visible).
drop index trades_account_closed_idx;
create index trades_account_closed_idx on trades (account_id, closed_at, id)
  include (pnl, opened_at, symbol, direction) where status = 'closed';
-- The best and worst trade (highest / lowest P&L, the first closed on a tie): two index probes instead of a
-- top-N sort over every closed trade.
create index trades_account_closed_pnl_idx on trades (account_id, pnl, closed_at, id) where status = 'closed';
-- The equity drawdown's window reads (at, equity) of one account in time order from the index alone.
drop index equity_samples_at_idx;
create index equity_samples_at_idx on equity_samples (account_id, at) include (equity);
