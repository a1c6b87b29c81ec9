-- Commerce: a payment webhook re-sent with an event id already handled is answered with the first outcome,
-- so the outcome is kept beside the event (null only while the handling transaction is open).
alter table payment_events add column outcome jsonb;
