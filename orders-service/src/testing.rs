//! Test and benchmark support (feature `testing`): synthetic orders in
//! bulk, and the plans Postgres picks for the lookup statements.
//!
//! Synthetic order `i` (1-based) of a tenant has order number
//! `100000 + i`, email `Customer{i % emails}@Example.com` (so each email has
//! about five orders and the stored spelling is mixed case), phone
//! `+14152{i % phones, 6 digits}` (about four orders each), and was placed
//! `30 * i` seconds before the seeding: order 1 is the newest.

use crate::{lookup::LookupType, order::Tenant, store};
use sqlx::{AssertSqlSafe, PgPool};

/// Orders per synthetic email and per synthetic phone.
const PER_EMAIL: i64 = 5;
const PER_PHONE: i64 = 4;

/// Inserts `count` synthetic orders for `tenant` in one `INSERT … SELECT
/// generate_series` statement (server-side: no rows cross the wire), then
/// `ANALYZE`s the table so the planner knows its size.
pub async fn seed(pool: &PgPool, tenant: &Tenant, count: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO orders (id, account_id, livemode, order_number, email, phone, status, \
             line_items, currency, subtotal, total, tracking, customer_name, metadata, \
             created_at, updated_at, placed_at) \
         SELECT 'ord_' || substr(md5($1 || $2::text || i::text), 1, 22), $1, $2, \
             (100000 + i)::text, \
             'Customer' || (i % greatest($3 / $4, 1)) || '@Example.com', \
             '+14152' || lpad((i % greatest($3 / $5, 1))::text, 6, '0'), \
             (ARRAY['pending','paid','fulfilled','shipped','out_for_delivery','delivered', \
                    'cancelled','refunded'])[1 + i % 8], \
             jsonb_build_array(jsonb_build_object('name', 'Item ' || i, 'quantity', 1, \
                 'unit_price', 1000 + i % 9000)), \
             'usd', NULL, NULL, \
             CASE WHEN i % 8 IN (3, 4, 5) THEN jsonb_build_object('carrier', 'UPS', \
                 'number', '1Z' || i, 'status', 'in_transit') END, \
             'Customer ' || i, '{}'::jsonb, at, at, at \
         FROM generate_series(1, $3) AS i, \
             LATERAL (SELECT now() - make_interval(secs => i * 30) AS at) AS t",
    )
    .bind(&tenant.account_id)
    .bind(tenant.livemode)
    .bind(count)
    .bind(PER_EMAIL)
    .bind(PER_PHONE)
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE orders").execute(pool).await?;
    Ok(())
}

/// The order number of synthetic order `i`.
pub fn order_number(i: i64) -> String {
    (100_000 + i).to_string()
}

/// The email of synthetic order `i` of `count`.
pub fn email(i: i64, count: i64) -> String {
    format!("Customer{}@Example.com", i % (count / PER_EMAIL).max(1))
}

/// The E.164 phone of synthetic order `i` of `count`.
pub fn phone(i: i64, count: i64) -> String {
    format!("+14152{:06}", i % (count / PER_PHONE).max(1))
}

/// `EXPLAIN` of the statement a lookup of `kind` runs, with these values
/// bound, one plan line per line. `analyze` runs it too and adds the
/// actual times and buffers.
pub async fn explain(
    pool: &PgPool,
    tenant: &Tenant,
    kind: LookupType,
    value: &str,
    limit: i64,
    analyze: bool,
) -> sqlx::Result<String> {
    let options = if analyze { "(ANALYZE, BUFFERS) " } else { "" };
    let sql = format!("EXPLAIN {options}{}", store::lookup_sql(kind));
    let lines: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(&tenant.account_id)
        .bind(tenant.livemode)
        .bind(value)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(lines.join("\n"))
}
