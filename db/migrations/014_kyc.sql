-- KYC (issue #12, DESIGN §3.3): a trader uploads documents, then submits them for review; staff approve or
-- reject with a reason, and a rejected trader may submit again. The latest submission is the trader's status
-- (services/kyc/status.ts); no submission means "none".

create table kyc_submissions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  status text not null default 'submitted' check (status in ('submitted', 'approved', 'rejected')),
  submitted_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by uuid references users (id) on delete set null,
  -- Shown to the trader on a rejection, so they know what to fix.
  reason text check (reason is null or length(reason) between 1 and 1000),
  check ((status = 'submitted') = (decided_at is null)),
  check (status <> 'rejected' or reason is not null)
);
create index kyc_submissions_user_idx on kyc_submissions (user_id, submitted_at desc);
-- The staff queue, oldest first.
create index kyc_submissions_queue_idx on kyc_submissions (submitted_at) where status = 'submitted';
-- At most one submission under review per trader.
create unique index kyc_submissions_open_key on kyc_submissions (user_id) where status = 'submitted';

-- An uploaded document. The bytes live in object storage, encrypted by the app (services/kyc/crypto.ts);
-- `key_id` names the key that encrypted them, so keys can rotate while old objects stay readable.
-- A document is a draft (submission_id null) until the trader submits; the submission then takes the latest
-- upload of each kind.
create table kyc_documents (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  submission_id uuid references kyc_submissions (id) on delete cascade,
  kind text not null check (kind in ('identity_front', 'identity_back', 'proof_of_address')),
  -- Recognised from the bytes (magic numbers), never from the file name or the client's Content-Type.
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'application/pdf')),
  storage_key text not null unique,
  key_id text not null,
  -- Plaintext size in bytes (≤ 10 MB).
  size_bytes int not null check (size_bytes > 0 and size_bytes <= 10485760),
  file_name text not null default '' check (length(file_name) <= 255),
  created_at timestamptz not null default now()
);
create index kyc_documents_user_idx on kyc_documents (user_id, created_at desc);
create index kyc_documents_submission_idx on kyc_documents (submission_id) where submission_id is not null;
