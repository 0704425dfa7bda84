//! The transactional outbox: events are written in the same transaction as
//! the state change they describe, and a relay moves them to JetStream.
//!
//! Guarantees: an event is published if and only if its transaction
//! committed; it is published at least once (the row is marked sent only
//! after JetStream acknowledged it), and JetStream's `Nats-Msg-Id` dedup
//! turns a republish after a crash into a no-op, so the stream holds it
//! once. Several relays may run against one schema: rows are claimed with
//! `FOR UPDATE SKIP LOCKED`.

use crate::{
    Shutdown,
    bus::Bus,
    db::{self, DbError},
    telemetry,
};
use barpel_proto::events::v1::Event;
use futures::future::try_join_all;
use prost::Message;
use sqlx::{PgConnection, PgPool, postgres::PgListener};
use std::future::IntoFuture;
use std::time::Duration;

/// Creates the outbox table and its notify trigger in the pool's schema.
/// Kept in its own bookkeeping table so it never mixes with the service's
/// migration history.
pub async fn migrate(pool: &PgPool, schema: &str) -> Result<(), DbError> {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.dangerous_set_table_name("_outbox_migrations");
    db::migrate(pool, schema, &migrator).await
}

/// Writes `event` to the outbox inside the caller's transaction.
pub async fn enqueue(conn: &mut PgConnection, event: &Event) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (event_id, event_type, payload, traceparent) VALUES ($1, $2, $3, $4)",
    )
    .bind(&event.id)
    .bind(&event.r#type)
    .bind(event.encode_to_vec())
    .bind(telemetry::current_traceparent())
    .execute(conn)
    .await?;
    Ok(())
}

/// How the relay runs.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The schema whose outbox is relayed (also names the NOTIFY channel).
    pub schema: String,
    /// Rows claimed per transaction.
    pub batch: i64,
    /// Poll interval when no notification arrives (and after errors).
    pub poll: Duration,
    /// Sent rows older than this are deleted.
    pub keep_sent: Duration,
}

impl RelayConfig {
    pub fn new(schema: &str) -> Self {
        Self {
            schema: schema.to_owned(),
            batch: 256,
            poll: Duration::from_secs(1),
            keep_sent: Duration::from_secs(24 * 3600),
        }
    }
}

/// Moves outbox rows to JetStream until `shutdown`.
pub struct Relay {
    pool: PgPool,
    bus: Bus,
    config: RelayConfig,
}

impl Relay {
    pub fn new(pool: PgPool, bus: Bus, config: RelayConfig) -> Self {
        Self { pool, bus, config }
    }

    /// Relays until `shutdown`; errors are logged and retried after `poll`.
    pub async fn run(self, shutdown: Shutdown) {
        let mut listener = self.listen().await;
        let mut since_purge = 0u32;
        tracing::info!(schema = %self.config.schema, "outbox relay started");
        while !shutdown.is_cancelled() {
            let sent = match self.relay_batch().await {
                Ok(sent) => sent,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay failed; retrying");
                    0
                }
            };
            if sent as i64 >= self.config.batch {
                continue; // more waiting: do not sleep
            }
            since_purge += 1;
            if since_purge >= 600 {
                since_purge = 0;
                self.purge().await;
            }
            self.wait(&mut listener, &shutdown).await;
        }
        tracing::info!(schema = %self.config.schema, "outbox relay stopped");
    }

    async fn listen(&self) -> Option<PgListener> {
        let channel = format!("{}_outbox", self.config.schema);
        let mut listener = PgListener::connect_with(&self.pool).await.ok()?;
        listener.listen(&channel).await.ok()?;
        Some(listener)
    }

    /// Sleeps until a NOTIFY, the poll interval, or shutdown.
    async fn wait(&self, listener: &mut Option<PgListener>, shutdown: &Shutdown) {
        let poll = tokio::time::sleep(self.config.poll);
        match listener {
            Some(l) => tokio::select! {
                n = l.try_recv() => if n.is_err() { *listener = None },
                () = poll => {},
                () = shutdown.cancelled() => {},
            },
            None => tokio::select! {
                () = poll => { *listener = self.listen().await },
                () = shutdown.cancelled() => {},
            },
        }
    }

    /// Claims a batch, publishes every row, waits for every ack, then marks
    /// the batch sent, all inside one transaction. Returns how many were
    /// sent. A failure rolls back: the rows stay unsent for the next try.
    pub async fn relay_batch(&self) -> anyhow::Result<usize> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(i64, String, String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT seq, event_id, event_type, payload, traceparent FROM outbox \
             WHERE sent_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(self.config.batch)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut acks = Vec::with_capacity(rows.len());
        for (_, event_id, event_type, payload, traceparent) in &rows {
            let mut headers = async_nats::HeaderMap::new();
            if !traceparent.is_empty() {
                headers.insert("traceparent", traceparent.as_str());
            }
            acks.push(
                self.bus
                    .publish(event_type, event_id, payload.clone().into(), headers)
                    .await?,
            );
        }
        try_join_all(acks.into_iter().map(|ack| ack.into_future())).await?;
        let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
        sqlx::query("UPDATE outbox SET sent_at = now() WHERE seq = ANY($1)")
            .bind(&seqs)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(count = rows.len(), "outbox relayed");
        Ok(rows.len())
    }

    /// Publishes until the outbox is empty or an error stops it; returns
    /// how many events went out.
    pub async fn flush(&self) -> usize {
        let mut total = 0;
        loop {
            match self.relay_batch().await {
                Ok(0) => return total,
                Ok(sent) => total += sent,
                Err(e) => {
                    tracing::warn!(error = %e, "final outbox flush failed; the next start publishes the rest");
                    return total;
                }
            }
        }
    }

    async fn purge(&self) {
        let keep = self.config.keep_sent.as_secs_f64();
        let result =
            sqlx::query("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)")
                .bind(keep)
                .execute(&self.pool)
                .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "outbox purge failed");
        }
    }
}
