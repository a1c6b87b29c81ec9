-- Home-page testimonials: written by staff in the back office, shown only once published.
create table testimonials (
  id uuid primary key default gen_random_uuid(),
  quote text not null check (length(btrim(quote)) between 10 and 600),
  author_name text not null check (length(btrim(author_name)) between 1 and 80),
  -- e.g. "Funded trader, Two-Step 100K"
  author_detail text not null default '' check (length(author_detail) <= 120),
  position int not null default 0,
  published boolean not null default false,
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index testimonials_published_idx on testimonials (position, created_at) where published;
