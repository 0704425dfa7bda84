//! The `orders` table. Every statement filters by account and mode; the
//! lookup statements are written to match the indexes of the migration
//! (`lower(order_number)`, `lower(email)`, `phone`, each then
//! `placed_at DESC, id DESC`), which `tests/lookup.rs` checks with EXPLAIN.

use crate::{
    lookup::LookupType,
    order::{LineItem, Order, Status, Tenant, Tracking},
};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::{FromRow, PgConnection, PgPool, types::Json};

macro_rules! columns {
    () => {
        "id, account_id, livemode, order_number, email, phone, status, line_items, currency, \
         subtotal, total, tracking, customer_name, metadata, created_at, updated_at, placed_at"
    };
}

/// By order number: unique per tenant (case-insensitively), so at most one
/// row and nothing to sort.
pub const BY_ORDER_NUMBER: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM orders WHERE account_id = $1 AND livemode = $2 AND lower(order_number) = lower($3) \
     LIMIT $4"
);

/// By email, case-insensitively, newest first.
pub const BY_EMAIL: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM orders WHERE account_id = $1 AND livemode = $2 AND email IS NOT NULL \
     AND lower(email) = lower($3) ORDER BY placed_at DESC, id DESC LIMIT $4"
);

/// By E.164 phone, newest first.
pub const BY_PHONE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM orders WHERE account_id = $1 AND livemode = $2 AND phone IS NOT NULL \
     AND phone = $3 ORDER BY placed_at DESC, id DESC LIMIT $4"
);

const LOCK_BY_NUMBER: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM orders WHERE account_id = $1 AND livemode = $2 AND lower(order_number) = lower($3) \
     FOR UPDATE"
);

const BY_ID: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM orders WHERE id = $1 AND account_id = $2 AND livemode = $3"
);

const INSERT: &str = concat!(
    "INSERT INTO orders (",
    columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
     ON CONFLICT DO NOTHING"
);

/// Tenant and id are the key; they never change.
const UPDATE: &str = "UPDATE orders SET order_number = $4, email = $5, phone = $6, status = $7, \
     line_items = $8, currency = $9, subtotal = $10, total = $11, tracking = $12, \
     customer_name = $13, metadata = $14, created_at = $15, updated_at = $16, placed_at = $17 \
     WHERE id = $1 AND account_id = $2 AND livemode = $3";

/// The statement a lookup of `kind` runs; `$1` account, `$2` livemode,
/// `$3` the normalised value, `$4` the row limit.
pub fn lookup_sql(kind: LookupType) -> &'static str {
    match kind {
        LookupType::OrderNumber => BY_ORDER_NUMBER,
        LookupType::Email => BY_EMAIL,
        LookupType::Phone => BY_PHONE,
    }
}

/// Up to `limit` orders matching `value`, newest first.
pub async fn lookup(
    pool: &PgPool,
    tenant: &Tenant,
    kind: LookupType,
    value: &str,
    limit: i64,
) -> sqlx::Result<Vec<Order>> {
    let rows: Vec<Row> = sqlx::query_as(lookup_sql(kind))
        .bind(&tenant.account_id)
        .bind(tenant.livemode)
        .bind(value)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.into_iter().map(Row::into_order).collect()
}

/// The tenant's order with this id.
pub async fn get(pool: &PgPool, tenant: &Tenant, id: &str) -> sqlx::Result<Option<Order>> {
    let row: Option<Row> = sqlx::query_as(BY_ID)
        .bind(id)
        .bind(&tenant.account_id)
        .bind(tenant.livemode)
        .fetch_optional(pool)
        .await?;
    row.map(Row::into_order).transpose()
}

/// The tenant's order with this number, locked until the transaction ends
/// so concurrent upserts of one order apply one after the other.
pub async fn lock_by_number(
    conn: &mut PgConnection,
    tenant: &Tenant,
    order_number: &str,
) -> sqlx::Result<Option<Order>> {
    let row: Option<Row> = sqlx::query_as(LOCK_BY_NUMBER)
        .bind(&tenant.account_id)
        .bind(tenant.livemode)
        .bind(order_number)
        .fetch_optional(conn)
        .await?;
    row.map(Row::into_order).transpose()
}

/// Inserts a new order; false when a concurrent upsert inserted the same
/// number first (the caller then updates that one instead).
pub async fn insert(conn: &mut PgConnection, order: &Order) -> sqlx::Result<bool> {
    let done = bind_all(sqlx::query(INSERT), order).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Writes every field of an existing order.
pub async fn update(conn: &mut PgConnection, order: &Order) -> sqlx::Result<()> {
    bind_all(sqlx::query(UPDATE), order).execute(conn).await?;
    Ok(())
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds `$1..$17` in `columns!()` order.
fn bind_all<'q>(query: Query<'q>, order: &Order) -> Query<'q> {
    query
        .bind(order.id.clone())
        .bind(order.account_id.clone())
        .bind(order.livemode)
        .bind(order.order_number.clone())
        .bind(order.email.clone())
        .bind(order.phone.clone())
        .bind(order.status.as_str())
        .bind(Json(order.line_items.clone()))
        .bind(order.currency.clone())
        .bind(order.subtotal)
        .bind(order.total)
        .bind(order.tracking.clone().map(Json))
        .bind(order.customer_name.clone())
        .bind(Json(order.metadata.clone()))
        .bind(order.created_at)
        .bind(order.updated_at)
        .bind(order.placed_at)
}

/// One row as read; `into_order` checks what the database cannot.
#[derive(FromRow)]
struct Row {
    id: String,
    account_id: String,
    livemode: bool,
    order_number: String,
    email: Option<String>,
    phone: Option<String>,
    status: String,
    line_items: Json<Vec<LineItem>>,
    currency: Option<String>,
    subtotal: Option<i64>,
    total: Option<i64>,
    tracking: Option<Json<Tracking>>,
    customer_name: Option<String>,
    metadata: Json<Map<String, Value>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    placed_at: DateTime<Utc>,
}

impl Row {
    fn into_order(self) -> sqlx::Result<Order> {
        let status = Status::parse(&self.status).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown order status {:?}", self.status).into())
        })?;
        Ok(Order {
            id: self.id,
            account_id: self.account_id,
            livemode: self.livemode,
            order_number: self.order_number,
            email: self.email,
            phone: self.phone,
            status,
            line_items: self.line_items.0,
            currency: self.currency,
            subtotal: self.subtotal,
            total: self.total,
            tracking: self.tracking.map(|t| t.0),
            customer_name: self.customer_name,
            metadata: self.metadata.0,
            created_at: self.created_at,
            updated_at: self.updated_at,
            placed_at: self.placed_at,
        })
    }
}
