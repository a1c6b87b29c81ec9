-- A client-chosen key per purchase attempt: the same key from the same buyer is the same order, so a double
-- submit, a retried request or a second tab can never buy twice.
alter table orders add column idempotency_key text
  check (idempotency_key is null or length(idempotency_key) between 8 and 200);
create unique index orders_idempotency_key on orders (user_id, idempotency_key) where idempotency_key is not null;
