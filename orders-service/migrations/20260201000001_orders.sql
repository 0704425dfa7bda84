-- The merchant's order feed: one row per order, per account and mode.
--
-- Decisions:
-- * Tenancy: every row carries (account_id, livemode) and every index leads
--   with both, so every query is scoped and no index serves two tenants'
--   rows interleaved.
-- * Ids are `ord_…` (time-ordered base62); `COLLATE "C"` makes them sort
--   byte-wise, i.e. by creation time, and compares them cheaply.
-- * `order_number` is stored as the merchant first gave it, without a
--   leading `#`, and is unique case-insensitively: a customer reading
--   "ab-1001" over the phone means "AB-1001". The unique index is also the
--   lookup index.
-- * `email` is stored as given and matched with lower(); `phone` is E.164
--   (normalised by the service), so plain equality is exact. Both are NULL
--   when unknown, and their indexes are partial: orders without them cost
--   no index space.
-- * The email and phone indexes end with (placed_at DESC, id DESC), the
--   order lookups return, so "newest N orders for this email" is one index
--   range read with no sort, however many orders the account has.
-- * Status is text with a CHECK rather than an enum type: adding a status
--   is a one-line migration and needs no type juggling.
-- * Line items and tracking are jsonb: they are read and written whole with
--   the order and never filtered on.
-- * Money is integer minor units (bigint) with an ISO 4217 lower-case
--   currency, NULL when the order carries no amounts.
CREATE TABLE orders (
    id            text COLLATE "C" PRIMARY KEY,
    account_id    text COLLATE "C" NOT NULL,
    livemode      boolean NOT NULL,
    order_number  text NOT NULL CHECK (order_number <> ''),
    email         text,
    phone         text COLLATE "C",
    status        text NOT NULL CHECK (status IN ('pending', 'paid', 'fulfilled', 'shipped',
                      'out_for_delivery', 'delivered', 'cancelled', 'refunded')),
    line_items    jsonb NOT NULL DEFAULT '[]',
    currency      text CHECK (currency ~ '^[a-z]{3}$'),
    subtotal      bigint CHECK (subtotal >= 0),
    total         bigint CHECK (total >= 0),
    -- {carrier, number, url, status, estimated_delivery: "YYYY-MM-DD"}, or NULL.
    tracking      jsonb,
    customer_name text,
    metadata      jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- When the merchant placed the order; lookups sort on it, newest first.
    placed_at     timestamptz NOT NULL
);

CREATE UNIQUE INDEX orders_number
    ON orders (account_id, livemode, lower(order_number));

CREATE INDEX orders_email
    ON orders (account_id, livemode, lower(email), placed_at DESC, id DESC)
    WHERE email IS NOT NULL;

CREATE INDEX orders_phone
    ON orders (account_id, livemode, phone, placed_at DESC, id DESC)
    WHERE phone IS NOT NULL;
