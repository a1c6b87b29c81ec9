-- One trade source per account (issue #14, DESIGN §3.5): the built-in venue or an outside platform's connector,
-- fixed by the account's first trade. An account fed by both was judged on whichever wrote last — the venue
-- wrote equity as balance + its own positions (dropping the connector's), a connector's equity report replaced
-- the engine's figures with the platform's (which knew nothing of the venue's) — and the rules decide who gets
-- paid. Null: no trade yet, either may take it (the venue's first fill or demo-sync's first accepted batch
-- sets it under the account's row lock / compare-and-set, so exactly one wins).
alter table accounts add column trade_source text check (trade_source in ('venue', 'connector'));

-- Existing accounts, from their history: a venue position means the venue filled an order there (an account
-- that both fed keeps the venue: its engine figures are the venue's since its last fill); otherwise trades or
-- trade/equity events can only have come from a connector (the venue makes no events without a position).
update accounts set trade_source = 'venue' where id in (select account_id from venue_positions);
update accounts set trade_source = 'connector'
where trade_source is null
  and (id in (select account_id from trades)
       or id in (select account_id from account_events where type in ('trade_open', 'trade_close', 'equity')));
