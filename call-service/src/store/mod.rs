//! The `calls` schema: calls, their turns, and the dial queue.
//!
//! Reading lives here; writing that publishes an event (create, cancel,
//! transitions) in `write.rs`; the queue's claims and leases in `queue.rs`.

mod queue;
mod write;

pub use queue::Claimed;
pub use write::{Change, Created, Lease, elapsed};

use crate::call::{Call, Role, Turn};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::{PgExecutor, PgPool, Row, postgres::PgRow};
use std::collections::HashMap;

/// Every column of `calls` a `Call` is built from.
const CALL_COLUMNS: &str = "id, account_id, livemode, status, phone_number, purpose, language, \
    context, metadata, created_at, updated_at, started_at, ended_at, duration_seconds, resolution, \
    ended_reason, summary, csat, escalated, cost_amount, cost_currency";

/// Access to the schema.
#[derive(Clone)]
pub struct Store {
    pool: PgPool,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub purpose: Option<String>,
    pub phone_number: Option<String>,
    pub created_gte: Option<DateTime<Utc>>,
    pub created_lte: Option<DateTime<Utc>>,
}

/// Cursor and size of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
}

impl Store {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A call of this account and mode, with its transcript so far.
    pub async fn get(
        &self,
        account_id: &str,
        livemode: bool,
        id: &str,
    ) -> sqlx::Result<Option<Call>> {
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE id = $1 AND account_id = $2 AND livemode = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(account_id)
            .bind(livemode)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut calls = with_turns(&self.pool, vec![call_from_row(&row)?]).await?;
        Ok(calls.pop())
    }

    /// A call by id alone, for the instance that holds it.
    pub async fn by_id(&self, id: &str) -> Result<Option<Call>, barpel_platform::ServiceError> {
        let sql = format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(call_from_row).transpose()?)
    }

    /// Newest first, keyset-paginated on the time-ordered id. Returns the
    /// page and whether more follow.
    pub async fn list(
        &self,
        account_id: &str,
        livemode: bool,
        filter: &Filter,
        page: &Page,
    ) -> sqlx::Result<(Vec<Call>, bool)> {
        let backwards = page.ending_before.is_some();
        let (cursor_op, order) = if backwards {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE account_id = $1 AND livemode = $2 \
             AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR purpose = $4) \
             AND ($5::text IS NULL OR phone_number = $5) \
             AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at <= $7) \
             AND ($8::text IS NULL OR id {cursor_op} $8) \
             ORDER BY id {order} LIMIT $9"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(livemode)
            .bind(&filter.status)
            .bind(&filter.purpose)
            .bind(&filter.phone_number)
            .bind(filter.created_gte)
            .bind(filter.created_lte)
            .bind(page.starting_after.as_ref().or(page.ending_before.as_ref()))
            .bind(page.limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let has_more = rows.len() as i64 > page.limit;
        let mut calls = rows
            .iter()
            .take(page.limit as usize)
            .map(call_from_row)
            .collect::<sqlx::Result<Vec<_>>>()?;
        if backwards {
            calls.reverse();
        }
        Ok((with_turns(&self.pool, calls).await?, has_more))
    }
}

/// Attaches each call's turns (one query for all of them). A call has a
/// transcript once it connected or the agent spoke (voicemail).
async fn with_turns<'e>(db: impl PgExecutor<'e>, mut calls: Vec<Call>) -> sqlx::Result<Vec<Call>> {
    let ids: Vec<&str> = calls.iter().map(|c| c.id.as_str()).collect();
    let rows = sqlx::query(
        "SELECT call_id, role, text, offset_seconds FROM call_turns WHERE call_id = ANY($1) ORDER BY call_id, seq",
    )
    .bind(&ids)
    .fetch_all(db)
    .await?;
    let mut turns: HashMap<String, Vec<Turn>> = HashMap::new();
    for row in &rows {
        let role: String = row.try_get("role")?;
        turns
            .entry(row.try_get("call_id")?)
            .or_default()
            .push(Turn {
                role: if role == "customer" {
                    Role::Customer
                } else {
                    Role::Agent
                },
                text: row.try_get("text")?,
                offset_seconds: row.try_get("offset_seconds")?,
            });
    }
    for call in &mut calls {
        let found = turns.remove(&call.id);
        call.transcript = match found {
            Some(t) => Some(t),
            None if call.started_at.is_some() => Some(Vec::new()),
            None => None,
        };
    }
    Ok(calls)
}

fn call_from_row(row: &PgRow) -> sqlx::Result<Call> {
    let parse = |column: &str, text: String| -> sqlx::Result<_> {
        Err(sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: format!("unexpected value {text:?}").into(),
        })
    };
    let status: String = row.try_get("status")?;
    let purpose: String = row.try_get("purpose")?;
    let resolution: Option<String> = row.try_get("resolution")?;
    Ok(Call {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        livemode: row.try_get("livemode")?,
        status: match status.parse() {
            Ok(s) => s,
            Err(_) => return parse("status", status),
        },
        phone_number: row.try_get("phone_number")?,
        purpose: match purpose.parse() {
            Ok(p) => p,
            Err(_) => return parse("purpose", purpose),
        },
        language: row.try_get("language")?,
        context: object(row.try_get("context")?),
        metadata: object(row.try_get("metadata")?),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        duration_seconds: row
            .try_get::<Option<i32>, _>("duration_seconds")?
            .map(|d| d.max(0) as u32),
        transcript: None,
        resolution: resolution.and_then(|r| r.parse().ok()),
        ended_reason: row.try_get("ended_reason")?,
        summary: row.try_get("summary")?,
        csat: row
            .try_get::<Option<i16>, _>("csat")?
            .map(|c| c.clamp(1, 5) as u8),
        escalated: row.try_get("escalated")?,
        cost_amount: row.try_get("cost_amount")?,
        cost_currency: row.try_get("cost_currency")?,
    })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
