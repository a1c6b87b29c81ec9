-- Mails written within one clock tick (PGlite's clock is coarse) were ordered by their random id, so "the
-- newest mail" could be the older one. An identity column orders them as they were written.
alter table mail_outbox add column seq bigint generated always as identity;
