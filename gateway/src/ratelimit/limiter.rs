//! Per-account limits: shared through Redis, with an in-process fallback.
//!
//! Normally every request is decided by Redis, so all gateway replicas
//! share one allowance per account and mode. When a Redis call fails or
//! takes longer than `RATE_LIMIT_REDIS_TIMEOUT_MS`, the limiter switches to
//! its fallback: each replica enforces the plan's limits on its own (so N
//! replicas admit up to N times the allowance while it lasts), logs that
//! once, and sets the `rate_limit_fallback_active` gauge. While on the
//! fallback no request waits for Redis except one probe every
//! `RATE_LIMIT_REDIS_PROBE_MS`; the first probe Redis answers switches back.

use super::{
    gcra::{Outcome, Tier},
    local::LocalBuckets,
    redis::{RedisLimitError, RedisLimiter},
};
use crate::{http::metrics::Metrics, keys::Limits};
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

/// Whose allowance a request spends: one account in one mode (test traffic
/// never starves live traffic), at the limits its plan grants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketId {
    pub account_id: String,
    pub livemode: bool,
    pub limits: Limits,
}

impl BucketId {
    /// Burst tier first, then sustained: the order the script expects.
    pub fn tiers(&self) -> [Tier; 2] {
        [
            Tier::per_second(self.limits.per_second),
            Tier::per_minute(self.limits.per_minute),
        ]
    }

    /// `<prefix>ratelimit:<account>:<mode>:<per second>:<per minute>`. The
    /// limits are part of the name so that a plan change starts a fresh
    /// bucket instead of reading levels scaled for other limits.
    pub fn redis_key(&self, prefix: &str) -> String {
        let mode = if self.livemode { "live" } else { "test" };
        format!(
            "{prefix}ratelimit:{}:{mode}:{}:{}",
            self.account_id, self.limits.per_second, self.limits.per_minute
        )
    }
}

/// Who decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Redis: the limit shared by every replica.
    Shared,
    /// This replica alone (Redis unreachable or slow).
    Local,
}

/// The answer for one request, with what the headers need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub tiers: [Tier; 2],
    pub outcome: Outcome<2>,
    pub source: Source,
    /// Redis's clock for shared decisions (µs since the Unix epoch).
    pub redis_clock_us: Option<u64>,
}

/// Tuning of the fallback.
#[derive(Debug, Clone, Copy)]
pub struct LimiterSettings {
    /// Deadline of each Redis call.
    pub redis_timeout: Duration,
    /// While on the fallback, how often one request tries Redis again.
    pub probe_interval: Duration,
}

/// The per-account limiter of one gateway replica.
pub struct RateLimiter {
    redis: RedisLimiter,
    prefix: String,
    local: LocalBuckets<BucketId, 2>,
    health: Health,
    metrics: Arc<Metrics>,
}

impl RateLimiter {
    pub fn new(
        redis: redis::aio::ConnectionManager,
        prefix: &str,
        settings: LimiterSettings,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            redis: RedisLimiter::new(redis, settings.redis_timeout),
            prefix: prefix.to_owned(),
            local: LocalBuckets::default(),
            health: Health::new(settings.probe_interval),
            metrics,
        }
    }

    /// Decides one request for `bucket`, spending it if admitted.
    pub async fn check(&self, bucket: &BucketId) -> Decision {
        let Some(_probe) = self.health.may_call_redis() else {
            return self.local(bucket);
        };
        match self
            .redis
            .check(&bucket.redis_key(&self.prefix), &bucket.tiers())
            .await
        {
            Ok(shared) => {
                self.redis_answered();
                Decision {
                    tiers: bucket.tiers(),
                    outcome: shared.outcome,
                    source: Source::Shared,
                    redis_clock_us: Some(shared.clock_us),
                }
            }
            Err(e) => {
                self.redis_failed(&e);
                self.local(bucket)
            }
        }
    }

    /// Whether decisions are currently made per replica.
    pub fn on_fallback(&self) -> bool {
        self.health.on_fallback.load(Ordering::Acquire)
    }

    fn local(&self, bucket: &BucketId) -> Decision {
        let tiers = bucket.tiers();
        Decision {
            tiers,
            outcome: self.local.check(bucket.clone(), &tiers),
            source: Source::Local,
            redis_clock_us: None,
        }
    }

    fn redis_failed(&self, error: &RedisLimitError) {
        if self.health.fail() {
            self.metrics.rate_limit_fallback.set(1);
            tracing::warn!(
                %error,
                "rate limiter cannot use Redis; each gateway replica now enforces the limits on its own until Redis answers again"
            );
        }
    }

    fn redis_answered(&self) {
        if let Some(outage) = self.health.recover() {
            self.metrics.rate_limit_fallback.set(0);
            self.local.clear();
            tracing::info!(
                outage_ms = outage.as_millis() as u64,
                "rate limiter reaches Redis again; limits are shared across replicas again"
            );
        }
    }
}

/// Whether Redis is in use, and when it may next be tried.
struct Health {
    on_fallback: AtomicBool,
    /// Held by the one request probing Redis during an outage.
    probing: AtomicBool,
    /// Since when Redis is away, and when the next probe is due.
    outage: Mutex<Option<(Instant, Instant)>>,
    probe_interval: Duration,
}

/// Permission to call Redis; a probe's claim is released when dropped, even
/// if the request is abandoned mid-call.
struct RedisTurn<'a>(Option<&'a AtomicBool>);

impl Drop for RedisTurn<'_> {
    fn drop(&mut self) {
        if let Some(probing) = self.0 {
            probing.store(false, Ordering::Release);
        }
    }
}

impl Health {
    fn new(probe_interval: Duration) -> Self {
        Self {
            on_fallback: AtomicBool::new(false),
            probing: AtomicBool::new(false),
            outage: Mutex::new(None),
            probe_interval,
        }
    }

    /// `Some` if this request should ask Redis: always while Redis is in
    /// use; during an outage only the one request that claims a due probe.
    fn may_call_redis(&self) -> Option<RedisTurn<'_>> {
        if !self.on_fallback.load(Ordering::Acquire) {
            return Some(RedisTurn(None));
        }
        let due = self
            .outage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none_or(|(_, next_probe)| Instant::now() >= next_probe);
        let claimed = due
            && self
                .probing
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        claimed.then_some(RedisTurn(Some(&self.probing)))
    }

    /// Records a failure; `true` if it starts an outage (log it then only).
    fn fail(&self) -> bool {
        let now = Instant::now();
        let mut outage = self.outage.lock().unwrap_or_else(|e| e.into_inner());
        let started = outage.is_none();
        let since = outage.map_or(now, |(since, _)| since);
        *outage = Some((since, now + self.probe_interval));
        self.on_fallback.store(true, Ordering::Release);
        started
    }

    /// Records a success; the outage's length if it ends one.
    fn recover(&self) -> Option<Duration> {
        if !self.on_fallback.load(Ordering::Acquire) {
            return None;
        }
        let mut outage = self.outage.lock().unwrap_or_else(|e| e.into_inner());
        let ended = outage.take().map(|(since, _)| since.elapsed());
        self.on_fallback.store(false, Ordering::Release);
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_once_per_interval_during_an_outage() {
        let health = Health::new(Duration::from_millis(40));
        assert!(health.may_call_redis().is_some());
        assert!(health.fail(), "the first failure starts the outage");
        assert!(!health.fail(), "later failures are the same outage");
        assert!(
            health.may_call_redis().is_none(),
            "no probe before it is due"
        );
        std::thread::sleep(Duration::from_millis(50));
        let probe = health.may_call_redis();
        assert!(probe.is_some());
        assert!(health.may_call_redis().is_none(), "one probe at a time");
        drop(probe);
        assert!(health.recover().is_some());
        assert!(health.recover().is_none());
        assert!(health.may_call_redis().is_some());
    }

    #[test]
    fn buckets_are_per_account_mode_and_limits() {
        let bucket = BucketId {
            account_id: "acct_1".into(),
            livemode: false,
            limits: Limits {
                per_minute: 100,
                per_second: 20,
            },
        };
        assert_eq!(bucket.redis_key("p:"), "p:ratelimit:acct_1:test:20:100");
        let live = BucketId {
            livemode: true,
            ..bucket.clone()
        };
        assert_eq!(live.redis_key("p:"), "p:ratelimit:acct_1:live:20:100");
        assert_eq!(bucket.tiers()[1], Tier::per_minute(100));
    }
}
