-- "Most popular" chosen by staff (issue 13). When a plan on sale carries the flag, /challenges marks it;
-- otherwise the mark is computed from paid orders as before (services/commerce/trust_queries.ts). At most
-- one plan carries it: setting it on one plan clears it on the others in the same transaction, and this
-- index refuses a second flag should two admins race.
alter table plans add column featured boolean not null default false;
create unique index plans_one_featured_key on plans ((true)) where featured;

-- The back office counts accounts per plan version (every version of every plan on one screen).
create index accounts_plan_version_id_idx on accounts (plan_version_id);
