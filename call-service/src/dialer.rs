//! The dialer: claims calls from the shared queue and runs each on its own
//! task, up to the instance's capacity; renews the leases of the calls it
//! runs; on shutdown lets running calls finish for a while, then gives
//! back what it cannot finish.

use crate::{
    call::Status,
    runner::Runner,
    store::{Claimed, Lease, Store},
};
use barpel_platform::Shutdown;
use sqlx::postgres::PgListener;
use std::{collections::HashSet, sync::Arc, time::Duration};
use tokio::{task::JoinSet, time::Instant};

/// The least time between two claims.
const CLAIM_SPACING: Duration = Duration::from_millis(25);

/// How the dialer runs.
#[derive(Debug, Clone)]
pub struct DialerConfig {
    /// This instance's id, written as the lease owner.
    pub owner: String,
    /// The schema (names the notification channel).
    pub schema: String,
    pub max_active: usize,
    pub lease: Duration,
    pub poll: Duration,
    /// How long shutdown waits for running calls.
    pub drain: Duration,
}

pub struct Dialer {
    store: Store,
    runner: Arc<Runner>,
    config: DialerConfig,
    running: HashSet<String>,
    tasks: JoinSet<String>,
}

impl Dialer {
    pub fn new(store: Store, runner: Arc<Runner>, config: DialerConfig) -> Self {
        Self {
            store,
            runner,
            config,
            running: HashSet::new(),
            tasks: JoinSet::new(),
        }
    }

    /// Claims and runs calls until `shutdown`, then drains. Claims happen
    /// when a call is queued (NOTIFY), when a running call ends, and on the
    /// poll interval — but at most every `CLAIM_SPACING`, so thousands of
    /// calls ending together cost a few queries, not thousands. Calls of
    /// dead instances are looked for once per lease third.
    pub async fn run(mut self, shutdown: Shutdown) {
        let mut listener = self.listen().await;
        let mut renew = tokio::time::interval(self.config.lease / 3);
        let (mut claim_due, mut orphans_due) = (true, true);
        let mut earliest = Instant::now();
        tracing::info!(owner = %self.config.owner, "dialer started");
        while !shutdown.is_cancelled() {
            if claim_due && Instant::now() >= earliest {
                self.claim(orphans_due).await;
                earliest = Instant::now() + CLAIM_SPACING;
                (claim_due, orphans_due) = (false, false);
            }
            let wake = if claim_due {
                earliest
            } else {
                Instant::now() + self.config.poll
            };
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep_until(wake) => claim_due = true,
                _ = renew.tick() => {
                    self.renew().await;
                    (claim_due, orphans_due) = (true, true);
                }
                Some(done) = self.tasks.join_next() => {
                    self.finished(done);
                    claim_due = true;
                }
                notified = recv(&mut listener) => {
                    if !notified {
                        listener = self.listen().await;
                    }
                    claim_due = true;
                }
            }
        }
        self.drain().await;
    }

    async fn listen(&self) -> Option<PgListener> {
        let mut listener = PgListener::connect_with(self.store.pool()).await.ok()?;
        listener
            .listen(&format!("{}_calls", self.config.schema))
            .await
            .ok()?;
        Some(listener)
    }

    async fn claim(&mut self, orphans: bool) {
        let room = self
            .config
            .max_active
            .saturating_sub(self.running.len())
            .min(500);
        if room == 0 {
            return;
        }
        let owner = &self.config.owner;
        match self
            .store
            .claim(owner, self.config.lease, room, orphans)
            .await
        {
            Ok(claimed) => claimed.into_iter().for_each(|c| self.start(c)),
            Err(e) => tracing::warn!(error = %e, "claiming calls failed"),
        }
    }

    fn start(&mut self, claimed: Claimed) {
        let lease = Lease {
            call_id: claimed.call_id.clone(),
            owner: self.config.owner.clone(),
        };
        self.running.insert(claimed.call_id.clone());
        let runner = self.runner.clone();
        self.tasks.spawn(async move {
            runner.run(lease, claimed.status).await;
            claimed.call_id
        });
    }

    fn finished(&mut self, done: Result<String, tokio::task::JoinError>) {
        match done {
            Ok(call_id) => {
                self.running.remove(&call_id);
            }
            Err(e) => tracing::error!(error = %e, "call task panicked"),
        }
    }

    async fn renew(&self) {
        if self.running.is_empty() {
            return;
        }
        let ids: Vec<String> = self.running.iter().cloned().collect();
        if let Err(e) = self
            .store
            .renew(&self.config.owner, self.config.lease, &ids)
            .await
        {
            tracing::warn!(error = %e, "renewing call leases failed");
        }
    }

    /// Waits up to `drain` for running calls (still renewing their
    /// leases), then stops the rest: queued calls go back to the queue, and
    /// calls already on the line end as `interrupted`.
    async fn drain(mut self) {
        tracing::info!(running = self.running.len(), "dialer draining");
        let deadline = tokio::time::sleep(self.config.drain);
        tokio::pin!(deadline);
        let mut renew = tokio::time::interval(self.config.lease / 3);
        while !self.running.is_empty() {
            tokio::select! {
                () = &mut deadline => break,
                _ = renew.tick() => self.renew().await,
                Some(done) = self.tasks.join_next() => self.finished(done),
            }
        }
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        for call_id in std::mem::take(&mut self.running) {
            self.give_back(call_id).await;
        }
        tracing::info!("dialer stopped");
    }

    async fn give_back(&self, call_id: String) {
        let owner = &self.config.owner;
        match self.store.release(owner, &call_id).await {
            Ok(true) => {}
            Ok(false) => {
                let lease = Lease {
                    call_id,
                    owner: owner.clone(),
                };
                self.runner.run(lease, Status::InProgress).await;
            }
            Err(e) => tracing::warn!(error = %e, "releasing a call failed; its lease will lapse"),
        }
    }
}

/// Waits for a notification; `false` when the listener broke.
async fn recv(listener: &mut Option<PgListener>) -> bool {
    match listener {
        Some(l) => l.try_recv().await.is_ok(),
        None => std::future::pending().await,
    }
}
