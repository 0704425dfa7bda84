//! Writes that change a call. Each one that others care about writes its
//! event to the outbox in the same transaction; each one made by a runner
//! is fenced by the runner's lease, so an instance that lost its call (to a
//! takeover or a cancel) can no longer touch it.

use super::{CALL_COLUMNS, Store, call_from_row, with_turns};
use crate::{
    call::{Call, Resolution, Status, Turn},
    events,
    validate::ValidCall,
};
use barpel_platform::{ErrorKind, ServiceError, ids, outbox};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A runner's hold on a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub call_id: String,
    pub owner: String,
}

/// What a runner changes; `None` fields are left as they are.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub status: Option<Status>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<u32>,
    pub resolution: Option<Resolution>,
    pub ended_reason: Option<String>,
    pub summary: Option<String>,
    pub csat: Option<u8>,
    pub escalated: Option<bool>,
    pub cost_amount: Option<i64>,
    /// An event published besides the status's own (`escalation.created`).
    pub extra_event: Option<&'static str>,
}

/// The outcome of a create.
#[derive(Debug, Clone)]
pub enum Created {
    New(Call),
    /// The Idempotency-Key had already created this call.
    Existing(Call),
}

impl Store {
    /// Stores a new call `queued` (which also queues its dial job).
    pub async fn create(
        &self,
        account_id: &str,
        livemode: bool,
        call: &ValidCall,
        idempotency_key: Option<&str>,
        max_concurrent_calls: u32,
    ) -> sqlx::Result<Created> {
        let sql = format!(
            "INSERT INTO calls (id, account_id, livemode, status, phone_number, purpose, language, context, \
             metadata, idempotency_key, max_concurrent_calls, created_at, updated_at) \
             VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, now(), now()) \
             ON CONFLICT (account_id, livemode, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING \
             RETURNING {CALL_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(ids::new_id("call"))
            .bind(account_id)
            .bind(livemode)
            .bind(&call.phone_number)
            .bind(call.purpose.as_str())
            .bind(&call.language)
            .bind(serde_json::Value::Object(call.context.clone()))
            .bind(serde_json::Value::Object(call.metadata.clone()))
            .bind(idempotency_key)
            .bind(max_concurrent_calls.max(1) as i32)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(row) = row {
            return Ok(Created::New(call_from_row(&row)?));
        }
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE account_id = $1 AND livemode = $2 AND idempotency_key = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(livemode)
            .bind(idempotency_key)
            .fetch_one(&self.pool)
            .await?;
        let existing = with_turns(&self.pool, vec![call_from_row(&row)?]).await?;
        existing
            .into_iter()
            .next()
            .map(Created::Existing)
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Cancels a call that has not ended; a runner holding it notices at
    /// its next write and hangs up.
    pub async fn cancel(
        &self,
        account_id: &str,
        livemode: bool,
        id: &str,
    ) -> Result<Call, ServiceError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE id = $1 AND account_id = $2 AND livemode = $3 FOR UPDATE"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(account_id)
            .bind(livemode)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| ServiceError::not_found("call", id))?;
        let call = call_from_row(&row)?;
        if call.status.check(Status::Canceled).is_err() {
            return Err(ServiceError::new(
                ErrorKind::FailedPrecondition,
                "call_already_ended",
                format!(
                    "Call {id} has already ended with status {}; only queued, ringing or in-progress calls can be canceled.",
                    call.status
                ),
            ));
        }
        let now = Utc::now();
        let change = Change {
            status: Some(Status::Canceled),
            ended_at: Some(now),
            duration_seconds: Some(elapsed(call.started_at, now)),
            resolution: Some(Resolution::Unresolved),
            ended_reason: Some("canceled".into()),
            ..Change::default()
        };
        let call = apply(&mut tx, &call, &change, true).await?;
        tx.commit().await?;
        Ok(call)
    }

    /// Applies a runner's change under its lease, with the events it
    /// implies, in one transaction. `Ok(None)`: the lease is gone or the
    /// call ended elsewhere (canceled): the runner must stop.
    pub async fn change(
        &self,
        lease: &Lease,
        change: &Change,
    ) -> Result<Option<Call>, ServiceError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls WHERE id = $1 AND lease_owner = $2 FOR UPDATE"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&lease.call_id)
            .bind(&lease.owner)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let call = call_from_row(&row)?;
        if call.status.is_terminal() {
            return Ok(None);
        }
        if let Some(to) = change.status {
            call.status.check(to).map_err(ServiceError::internal)?;
        }
        let ends = change.status.is_some_and(Status::is_terminal);
        let call = apply(&mut tx, &call, change, ends).await?;
        tx.commit().await?;
        Ok(Some(call))
    }

    /// Appends one turn, unless the runner lost the call.
    pub async fn append_turn(&self, lease: &Lease, seq: usize, turn: &Turn) -> sqlx::Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO call_turns (call_id, seq, role, text, offset_seconds) \
             SELECT id, $3, $4, $5, $6 FROM calls WHERE id = $1 AND lease_owner = $2 \
             AND status IN ('queued', 'ringing', 'in_progress') \
             ON CONFLICT (call_id, seq) DO NOTHING",
        )
        .bind(&lease.call_id)
        .bind(&lease.owner)
        .bind(seq as i32)
        .bind(turn.role.as_str())
        .bind(&turn.text)
        .bind(turn.offset_seconds)
        .execute(&self.pool)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }
}

/// Writes `change` onto `call` (already locked) with its events.
async fn apply(
    tx: &mut PgConnection,
    call: &Call,
    change: &Change,
    release: bool,
) -> Result<Call, ServiceError> {
    let sql = format!(
        "UPDATE calls SET status = coalesce($2, status), started_at = coalesce($3, started_at), \
         ended_at = coalesce($4, ended_at), duration_seconds = coalesce($5, duration_seconds), \
         resolution = coalesce($6, resolution), ended_reason = coalesce($7, ended_reason), \
         summary = coalesce($8, summary), csat = coalesce($9, csat), escalated = coalesce($10, escalated), \
         cost_amount = coalesce($11, cost_amount), updated_at = now(), \
         lease_owner = CASE WHEN $12 THEN NULL ELSE lease_owner END, \
         lease_expires_at = CASE WHEN $12 THEN NULL ELSE lease_expires_at END \
         WHERE id = $1 RETURNING {CALL_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&call.id)
        .bind(change.status.map(Status::as_str))
        .bind(change.started_at)
        .bind(change.ended_at)
        .bind(change.duration_seconds.map(|d| d as i32))
        .bind(change.resolution.map(Resolution::as_str))
        .bind(&change.ended_reason)
        .bind(&change.summary)
        .bind(change.csat.map(i16::from))
        .bind(change.escalated)
        .bind(change.cost_amount)
        .bind(release)
        .fetch_one(&mut *tx)
        .await?;
    let types: Vec<&str> = change
        .extra_event
        .into_iter()
        .chain(
            change
                .status
                .filter(|s| *s != call.status)
                .and_then(Status::event_type),
        )
        .collect();
    let mut updated = call_from_row(&row)?;
    // The transcript is read only for an event's object: most changes a
    // runner makes publish nothing, and skipping the read halves their cost.
    if !types.is_empty() {
        updated = with_turns(&mut *tx, vec![updated])
            .await?
            .pop()
            .ok_or_else(|| ServiceError::internal("updated call vanished"))?;
    }
    for event_type in types {
        outbox::enqueue(&mut *tx, &events::event(event_type, &updated)).await?;
    }
    Ok(updated)
}

/// Whole seconds since the answer (0 if the call never connected).
pub fn elapsed(started_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> u32 {
    started_at
        .map(|s| (now - s).num_seconds().max(0) as u32)
        .unwrap_or(0)
}
