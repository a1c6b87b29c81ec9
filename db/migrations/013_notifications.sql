-- Notifications of a trader (issue #11): in-app (the bell, the list, the user stream) and mail.
--
-- `seq` numbers a user's notifications 1, 2, 3, … with no gaps, in commit order: it is taken from the user's
-- row of `notification_counters` in the transaction that inserts the notification, so a second transaction
-- waits for the first to commit. That is what lets the user stream resume exactly (`Last-Event-ID` carries
-- the last seq seen) where a global sequence could commit out of order and skip a notification.
create table notification_counters (
  user_id uuid primary key references users (id) on delete cascade,
  seq bigint not null check (seq > 0)
);

create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  seq bigint not null check (seq > 0),
  type text not null check (type in ('breach', 'pause', 'phase_passed', 'kyc_pending', 'daily_loss_warning',
                                     'max_loss_warning')),
  account_id uuid references accounts (id) on delete cascade,
  -- What makes a notification happen once (e.g. `<account>:daily_loss_warning:80:2026-03-02`): a retried or
  -- duplicated change finds its key taken and adds nothing.
  dedupe_key text not null check (length(dedupe_key) <= 200),
  title text not null check (length(title) <= 200),
  body text not null check (length(body) <= 2000),
  created_at timestamptz not null default now(),
  read_at timestamptz,
  unique (user_id, seq),
  unique (user_id, dedupe_key)
);

-- The bell's count and "mark all read".
create index notifications_unread on notifications (user_id, seq) where read_at is null;

-- Mail per type: a row only where the user chose; no row means on.
create table notification_preferences (
  user_id uuid not null references users (id) on delete cascade,
  type text not null check (type in ('breach', 'pause', 'phase_passed', 'kyc_pending', 'daily_loss_warning',
                                     'max_loss_warning')),
  email boolean not null,
  primary key (user_id, type)
);
