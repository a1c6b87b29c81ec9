-- FAQ of the public website, editable by staff. Answers are plain text (paragraphs separated by blank lines),
-- never HTML: the page escapes them like any other text. Schema-agnostic like 001/002.

create table faq_entries (
  id uuid primary key default gen_random_uuid(),
  category text not null
    check (category in ('general', 'challenges', 'rules', 'payouts', 'platform', 'account')),
  -- The answer's anchor on /faq (`/faq#slug`): links to it are shared, so it stays stable once published.
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
  question text not null check (length(btrim(question)) between 1 and 300),
  answer text not null check (length(btrim(answer)) between 1 and 5000),
  position int not null default 0,
  published boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index faq_entries_listing_idx on faq_entries (category, position) where published;
