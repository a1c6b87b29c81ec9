-- Identity: login sessions with rotating refresh tokens, email tokens, TOTP 2FA, recovery codes, mail outbox.

alter table users add column password_changed_at timestamptz not null default now();

-- One row per login. Every refresh token of a login belongs to its session (the token "family"): presenting
-- a spent token revokes the session, so a stolen token is useless once either party has used it.
create table auth_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- Last time the user proved presence (password or 2FA code): step-up for payouts and role changes.
  reauthenticated_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text,
  revoked_at timestamptz,
  revoked_reason text check (revoked_reason in ('logout', 'token_reuse', 'password_change', 'user', 'admin')),
  check ((revoked_at is null) = (revoked_reason is null))
);
create index auth_sessions_user_idx on auth_sessions (user_id, created_at desc) where revoked_at is null;

create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references auth_sessions (id) on delete cascade,
  -- SHA-256 of the opaque token: the token itself is never stored.
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index refresh_tokens_session_idx on refresh_tokens (session_id);

-- Single-use, expiring tokens sent by email (verification, password reset, email change).
create table email_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('verify_email', 'reset_password', 'change_email')),
  token_hash text not null unique,
  new_email text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  check ((purpose = 'change_email') = (new_email is not null))
);
create index email_tokens_user_idx on email_tokens (user_id, purpose) where used_at is null;

create table user_totp (
  user_id uuid primary key references users (id) on delete cascade,
  -- The shared secret, encrypted (AES-GCM, key derived from JWT_SECRET): a database dump alone cannot mint codes.
  secret_encrypted text not null,
  created_at timestamptz not null default now(),
  enabled_at timestamptz,
  -- The last accepted time step: a code is accepted once (no replay within its 30 s window).
  last_used_step bigint
);

create table recovery_codes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  code_hash text not null,
  created_at timestamptz not null default now(),
  used_at timestamptz
);
create index recovery_codes_user_idx on recovery_codes (user_id) where used_at is null;

-- Every mail the product sends. Without SMTP_URL this is where development mail ends up (and the admin
-- reads it); with SMTP it is the delivery log.
create table mail_outbox (
  id uuid primary key default gen_random_uuid(),
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  error text
);
create index mail_outbox_created_idx on mail_outbox (created_at desc);
create index mail_outbox_to_idx on mail_outbox (lower(to_address), created_at desc);
