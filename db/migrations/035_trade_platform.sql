-- Which platform a connector's account is traded on (services/accounts/trade_platform.ts): the name and version
-- a connector names in its demo-sync batches (`platform: {name, version?}`), e.g. "MetaTrader 5" "5.0.4200".
-- Only a connector's account has one (the venue is no platform), and a version only beside a name. The name is
-- fixed with the source (a batch naming another platform is refused, as a venue fill on a connector's account
-- is); the version follows the connector's upgrades. Null on the accounts whose connector never named it.
-- The lengths and characters are the API's (printable, one line); the checks here only bound what a write that
-- skipped it could store.
alter table accounts
  add column trade_platform text,
  add column trade_platform_version text,
  add constraint accounts_trade_platform_source check (trade_platform is null or trade_source = 'connector'),
  add constraint accounts_trade_platform_name check (char_length(trade_platform) between 1 and 64),
  add constraint accounts_trade_platform_version check (
    trade_platform_version is null
    or (trade_platform is not null and char_length(trade_platform_version) between 1 and 32));
