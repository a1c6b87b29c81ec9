-- Coupon limits with a provider that confirms payment later (issue 9): a use is held from the moment an
-- order is placed until it is paid, and given back when the order lapses unpaid, fails or is cancelled.
-- Before, uses were counted only at payment, so every buyer passed the check while earlier orders waited.

-- A pending order may be paid until `expires_at`; after that its coupon hold no longer counts, and the
-- expiry sweep marks it `expired`. An expired (or failed) order may still be paid by a late payment.
alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
  check (status in ('pending', 'paid', 'failed', 'cancelled', 'expired', 'refunded'));
alter table orders add column expires_at timestamptz;
update orders set expires_at = created_at + interval '30 minutes' where status = 'pending';
create index orders_expiry_idx on orders (expires_at) where status = 'pending';

-- What the order's coupon use is: `held` (placed, not paid: counts until `expires_at`), `redeemed` (paid),
-- `released` (the order lapsed, failed or was cancelled), `refused` (paid after its hold lapsed, when the
-- coupon had no use left: the order is flagged for a refund and opens nothing).
alter table orders add column coupon_use text
  check (coupon_use in ('held', 'redeemed', 'released', 'refused'));
update orders set coupon_use = case
    when status in ('paid', 'refunded') then 'redeemed'
    when status = 'pending' then 'held'
    else 'released' end
  where coupon_id is not null;
alter table orders add constraint orders_coupon_use_matches_coupon check ((coupon_id is null) = (coupon_use is null));
create index orders_coupon_use_idx on orders (coupon_id, user_id) where coupon_use in ('held', 'redeemed');

-- Something staff must act on. `coupon_over_limit`: paid after its coupon hold lapsed with no use left, so
-- the money is to be returned (GET /api/admin/orders/flagged lists these).
alter table orders add column flag text check (flag in ('coupon_over_limit'));
create index orders_flag_idx on orders (created_at desc) where flag is not null;
