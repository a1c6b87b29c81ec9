-- Payouts (issue #12, DESIGN §3.2). A request withdraws its gross amount from the funded account at once (an
-- engine ledger event, applied in order with trades through the live path); staff approve (two different
-- approvers above PAYOUT_FOUR_EYES_ABOVE), reject (the withdrawal is reversed) or mark it paid.

-- The live path records withdrawals and their reversals beside trade events, and logs them as their own kind.
alter table account_events drop constraint account_events_type_check;
alter table account_events add constraint account_events_type_check
  check (type in ('trade_open', 'trade_close', 'equity', 'withdrawal', 'withdrawal_reversal'));
alter table account_changes drop constraint account_changes_kind_check;
alter table account_changes add constraint account_changes_kind_check
  check (kind in ('sync', 'reset', 'admin', 'lifecycle', 'withdrawal'));

alter table payouts
  -- `amount` (001) is the gross withdrawn; the trader receives floor(amount × split %) to the cent.
  add column trader_share numeric(15, 2) not null default 0 check (trader_share >= 0),
  add column split_percent numeric(5, 2) not null default 0 check (split_percent > 0 or trader_share = 0),
  -- The client's Idempotency-Key: a replay returns the first request.
  add column idempotency_key text check (length(idempotency_key) between 1 and 200),
  -- Staff approvals needed (1, or 2 above the four-eyes amount) and the decisions.
  add column approvals_required int not null default 1 check (approvals_required in (1, 2)),
  add column approved_at timestamptz,
  add column paid_at timestamptz,
  add column rejected_at timestamptz,
  add column reason text check (reason is null or length(reason) between 1 and 1000),
  add column reference text check (reference is null or length(reference) between 1 and 200),
  add column updated_at timestamptz not null default now(),
  add constraint payouts_rejected_reason check (status <> 'rejected' or reason is not null),
  add constraint payouts_paid_reference check (status <> 'paid' or (reference is not null and paid_at is not null));
create unique index payouts_idempotency_key on payouts (user_id, idempotency_key) where idempotency_key is not null;
-- One open request per account (DESIGN §3.2): the database enforces it even if two requests race.
create unique index payouts_open_key on payouts (account_id) where status in ('pending', 'approved');
create index payouts_queue_idx on payouts (requested_at, id);
create index payouts_status_idx on payouts (status, requested_at, id);

-- Each staff member approves at most once (four eyes: the same person twice is one approval).
create table payout_approvals (
  payout_id uuid not null references payouts (id) on delete cascade,
  staff_id uuid not null references users (id) on delete restrict,
  at timestamptz not null default now(),
  primary key (payout_id, staff_id)
);

-- Step-up for payouts: with 2FA on, the proof must have been a second factor, not the password alone.
alter table auth_sessions add column reauth_second_factor boolean not null default false;
