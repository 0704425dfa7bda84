//! The dial queue. A call is its own job: `queued` and unleased means
//! waiting; a lease (`lease_owner`, `lease_expires_at`) means an instance
//! runs it and renews the lease while it does. Claims use
//! `FOR UPDATE SKIP LOCKED`, so any number of instances share the queue,
//! and an expired lease lets another instance take a dead one's calls.

use super::Store;
use crate::call::Status;
use sqlx::Row;
use std::time::Duration;

/// A call an instance now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub call_id: String,
    /// `queued` for a fresh call; anything else means a previous holder
    /// died mid-call.
    pub status: Status,
}

impl Store {
    /// Claims up to `max` calls: first (when `orphans`) those whose holder
    /// died, then queued calls of accounts below their concurrency cap,
    /// oldest first.
    pub async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        max: usize,
        orphans: bool,
    ) -> sqlx::Result<Vec<Claimed>> {
        let mut claimed = if orphans {
            self.claim_orphans(owner, lease, max).await?
        } else {
            Vec::new()
        };
        if claimed.len() >= max {
            return Ok(claimed);
        }
        let accounts = sqlx::query(
            "SELECT account_id, livemode FROM calls \
             WHERE status = 'queued' AND lease_owner IS NULL \
             GROUP BY account_id, livemode ORDER BY min(id) LIMIT 100",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in &accounts {
            let room = max - claimed.len();
            if room == 0 {
                break;
            }
            let (account_id, livemode): (String, bool) = (row.try_get(0)?, row.try_get(1)?);
            claimed.extend(
                self.claim_for_account(owner, lease, &account_id, livemode, room)
                    .await?,
            );
        }
        Ok(claimed)
    }

    /// Calls whose lease expired without reaching an end.
    async fn claim_orphans(
        &self,
        owner: &str,
        lease: Duration,
        max: usize,
    ) -> sqlx::Result<Vec<Claimed>> {
        let rows = sqlx::query(
            "UPDATE calls SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2), \
             attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM calls WHERE status IN ('queued', 'ringing', 'in_progress') \
                 AND lease_owner IS NOT NULL AND lease_expires_at < now() \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, status",
        )
        .bind(owner)
        .bind(lease.as_secs_f64())
        .bind(max as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(claimed).collect()
    }

    /// Queued calls of one account, as many as its cap leaves room for. An
    /// advisory lock per account and mode makes the count and the claim
    /// one step across instances, so the cap is never overshot.
    async fn claim_for_account(
        &self,
        owner: &str,
        lease: Duration,
        account_id: &str,
        livemode: bool,
        max: usize,
    ) -> sqlx::Result<Vec<Claimed>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2::text, 0))")
            .bind(account_id)
            .bind(livemode)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "WITH active AS ( \
                 SELECT count(*) AS n FROM calls WHERE account_id = $1 AND livemode = $2 \
                 AND lease_owner IS NOT NULL AND status IN ('queued', 'ringing', 'in_progress')), \
             next AS ( \
                 SELECT id, max_concurrent_calls FROM calls WHERE account_id = $1 AND livemode = $2 \
                 AND status = 'queued' AND lease_owner IS NULL ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED), \
             allowed AS ( \
                 SELECT id FROM (SELECT id, max_concurrent_calls, row_number() OVER (ORDER BY id) AS rn FROM next) n, active \
                 WHERE rn <= n.max_concurrent_calls - active.n) \
             UPDATE calls c SET lease_owner = $3, lease_expires_at = now() + make_interval(secs => $4), \
                 attempts = attempts + 1 \
             FROM allowed WHERE c.id = allowed.id RETURNING c.id, c.status",
        )
        .bind(account_id)
        .bind(livemode)
        .bind(owner)
        .bind(lease.as_secs_f64())
        .bind(max as i64)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().map(claimed).collect()
    }

    /// Extends the leases of the calls this instance runs.
    pub async fn renew(
        &self,
        owner: &str,
        lease: Duration,
        call_ids: &[String],
    ) -> sqlx::Result<u64> {
        let done = sqlx::query(
            "UPDATE calls SET lease_expires_at = now() + make_interval(secs => $2) \
             WHERE lease_owner = $1 AND id = ANY($3) AND status IN ('queued', 'ringing', 'in_progress')",
        )
        .bind(owner)
        .bind(lease.as_secs_f64())
        .bind(call_ids)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Gives a call that has not started back to the queue (on shutdown).
    pub async fn release(&self, owner: &str, call_id: &str) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE calls SET lease_owner = NULL, lease_expires_at = NULL \
             WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
        )
        .bind(call_id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn claimed(row: &sqlx::postgres::PgRow) -> sqlx::Result<Claimed> {
    let status: String = row.try_get("status")?;
    Ok(Claimed {
        call_id: row.try_get("id")?,
        status: status.parse().unwrap_or(Status::Queued),
    })
}
