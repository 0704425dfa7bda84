//! The rate limiter against a real Redis: the Lua script decides exactly as
//! the GCRA model in `gcra.rs` at the instants Redis reports, for every
//! plan's burst and sustained tier; replicas share one allowance; and when
//! Redis goes away (a private redis-server, stopped or frozen) the limiter
//! falls back to per-replica limits and returns to Redis by itself.

use barpel_gateway::{
    http::metrics::Metrics,
    keys::{Limits, Plan},
    ratelimit::{
        BucketId, LimiterSettings, RateLimiter, Source,
        gcra::{self, State},
        redis::{RedisLimiter, SharedOutcome},
    },
};
use barpel_platform::testing::{self, PrivateRedis};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::{sync::Arc, time::Duration};

async fn connect(url: &str) -> ConnectionManager {
    let client = redis::Client::open(url).expect("redis url");
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(1);
    ConnectionManager::new_with_config(client, config)
        .await
        .expect("redis")
}

fn bucket(limits: Limits) -> BucketId {
    BucketId {
        account_id: testing::unique("acct"),
        livemode: false,
        limits,
    }
}

fn limits(per_second: u32, per_minute: u32) -> Limits {
    Limits {
        per_minute,
        per_second,
    }
}

/// Replays Redis's decisions through the model at Redis's own instants and
/// asserts each one is identical; returns how many were admitted.
fn replay(bucket: &BucketId, decisions: &[SharedOutcome]) -> usize {
    let tiers = bucket.tiers();
    let mut states = [State::default(); 2];
    for (i, shared) in decisions.iter().enumerate() {
        let model = gcra::check(&tiers, &mut states, shared.clock_us);
        assert_eq!(model, shared.outcome, "decision {i} differs from the model");
    }
    decisions.iter().filter(|d| d.outcome.allowed).count()
}

struct Shared {
    limiter: RedisLimiter,
    prefix: String,
}

impl Shared {
    async fn new() -> Self {
        let redis = connect(&testing::redis_url()).await;
        Self {
            limiter: RedisLimiter::new(redis, Duration::from_secs(2)),
            prefix: format!("{}:", testing::unique("rl")),
        }
    }

    async fn check(&self, bucket: &BucketId) -> SharedOutcome {
        self.limiter
            .check(&bucket.redis_key(&self.prefix), &bucket.tiers())
            .await
            .expect("Redis decides")
    }
}

/// Fires twice the burst one after the other: the first `N` are admitted
/// whatever the timing, and every decision matches the model.
async fn burst_is_exact(plan: Plan) {
    let shared = Shared::new().await;
    let limits = plan.limits().expect("published plan");
    let bucket = bucket(limits);
    let n = limits.per_second as usize;
    let mut decisions = Vec::new();
    for _ in 0..2 * n {
        decisions.push(shared.check(&bucket).await);
    }
    assert!(decisions[..n].iter().all(|d| d.outcome.allowed));
    assert!(decisions.iter().any(|d| d.outcome.denied_by == Some(0)));
    let admitted = replay(&bucket, &decisions);
    assert!(admitted >= n, "{plan}: {admitted}");
}

#[tokio::test]
async fn starter_burst_admits_exactly_20() {
    burst_is_exact(Plan::Starter).await;
}

#[tokio::test]
async fn growth_burst_admits_exactly_50() {
    burst_is_exact(Plan::Growth).await;
}

#[tokio::test]
async fn scale_burst_admits_exactly_200() {
    burst_is_exact(Plan::Scale).await;
}

/// Keeps the burst tier busy (waiting out each burst refusal) until the
/// sustained tier refuses: at least `M` admitted, and exactly as many as
/// the model admits at Redis's instants.
async fn sustained_bites(plan: Plan) {
    let shared = Shared::new().await;
    let limits = plan.limits().expect("published plan");
    let bucket = bucket(limits);
    let mut decisions = Vec::new();
    loop {
        let decision = shared.check(&bucket).await;
        decisions.push(decision);
        match decision.outcome.denied_by {
            None => {}
            Some(0) => tokio::time::sleep(Duration::from_micros(decision.outcome.retry_us)).await,
            Some(_) => break,
        }
    }
    let admitted = replay(&bucket, &decisions);
    let m = limits.per_minute as usize;
    assert!(admitted >= m, "{plan}: {admitted} < {m}");
    let last = decisions.last().map(|d| d.outcome);
    assert_eq!(last.map(|o| o.tiers[1].remaining), Some(0));
}

#[tokio::test]
async fn starter_sustained_tier_bites_after_100() {
    sustained_bites(Plan::Starter).await;
}

#[tokio::test]
async fn growth_sustained_tier_bites_after_500() {
    sustained_bites(Plan::Growth).await;
}

#[tokio::test]
async fn scale_sustained_tier_bites_after_2000() {
    sustained_bites(Plan::Scale).await;
}

#[tokio::test]
async fn a_refusal_spends_neither_tier() {
    let shared = Shared::new().await;
    let bucket = bucket(limits(2, 4));
    let mut decisions = Vec::new();
    for _ in 0..12 {
        decisions.push(shared.check(&bucket).await);
    }
    // Ten burst refusals later the sustained tier still has 2 of 4.
    let last = decisions.last().map(|d| d.outcome);
    assert_eq!(last.map(|o| o.denied_by), Some(Some(0)));
    assert_eq!(last.map(|o| o.tiers[1].remaining), Some(2));
    // Use up the sustained tier, waiting out the burst tier in between.
    let mut admitted = decisions.iter().filter(|d| d.outcome.allowed).count();
    while admitted < 4 {
        let decision = shared.check(&bucket).await;
        decisions.push(decision);
        if decision.outcome.allowed {
            admitted += 1;
        } else {
            tokio::time::sleep(Duration::from_micros(decision.outcome.retry_us)).await;
        }
    }
    // A second later the burst tier is whole again.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let refused = shared.check(&bucket).await;
    decisions.push(refused);
    assert_eq!(refused.outcome.denied_by, Some(1));
    // The sustained refusal left the burst tier refilled and unspent.
    assert_eq!(refused.outcome.tiers[0].remaining, 2);
    assert!(refused.outcome.retry_us > 10_000_000);
    replay(&bucket, &decisions);
}

#[tokio::test]
async fn modes_and_accounts_have_separate_buckets() {
    let shared = Shared::new().await;
    let test = bucket(limits(1, 1));
    assert!(shared.check(&test).await.outcome.allowed);
    assert!(!shared.check(&test).await.outcome.allowed);
    let live = BucketId {
        livemode: true,
        ..test.clone()
    };
    assert!(shared.check(&live).await.outcome.allowed);
    let other = bucket(limits(1, 1));
    assert!(shared.check(&other).await.outcome.allowed);
}

fn settings() -> LimiterSettings {
    LimiterSettings {
        redis_timeout: Duration::from_millis(100),
        probe_interval: Duration::from_millis(200),
    }
}

async fn replica(url: &str, prefix: &str) -> (RateLimiter, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::default());
    let limiter = RateLimiter::new(connect(url).await, prefix, settings(), metrics.clone());
    (limiter, metrics)
}

#[tokio::test]
async fn two_replicas_share_one_allowance() {
    let prefix = format!("{}:", testing::unique("rl"));
    let (a, _) = replica(&testing::redis_url(), &prefix).await;
    let (b, _) = replica(&testing::redis_url(), &prefix).await;
    let bucket = bucket(limits(100, 10));
    let started = std::time::Instant::now();
    let mut admitted = 0;
    for i in 0..20 {
        let replica = if i % 2 == 0 { &a } else { &b };
        let decision = replica.check(&bucket).await;
        assert_eq!(decision.source, Source::Shared);
        admitted += usize::from(decision.outcome.allowed);
    }
    // 10, plus one per 6 s the test took (none, in practice); never 20.
    let refilled = (started.elapsed().as_secs() / 6) as usize;
    assert!((10..=10 + refilled).contains(&admitted), "{admitted}");
}

/// Polls until a decision comes from Redis again (each poll before that is
/// decided locally, on a bucket of its own).
async fn until_shared(limiter: &RateLimiter) {
    let probe = bucket(limits(1_000, 100_000));
    testing::eventually("limits shared again", Duration::from_secs(10), || async {
        (limiter.check(&probe).await.source == Source::Shared).then_some(())
    })
    .await;
}

#[tokio::test]
async fn falls_back_while_redis_is_down_and_returns_by_itself() {
    let mut redis = PrivateRedis::start().await;
    let prefix = format!("{}:", testing::unique("rl"));
    let (limiter, metrics) = replica(&redis.url(), &prefix).await;
    let account = bucket(limits(100, 3));
    for _ in 0..3 {
        let decision = limiter.check(&account).await;
        assert_eq!(
            (decision.source, decision.outcome.allowed),
            (Source::Shared, true)
        );
    }
    assert!(!limiter.check(&account).await.outcome.allowed);

    redis.stop().await;
    // Still served, now by this replica alone, which enforces the limits too.
    for _ in 0..3 {
        let decision = limiter.check(&account).await;
        assert_eq!(
            (decision.source, decision.outcome.allowed),
            (Source::Local, true)
        );
    }
    let refused = limiter.check(&account).await;
    assert_eq!(
        (refused.source, refused.outcome.denied_by),
        (Source::Local, Some(1))
    );
    assert!(limiter.on_fallback());
    assert_eq!(metrics.rate_limit_fallback.get(), 1);

    // A restarted Redis has neither the buckets nor the script (NOSCRIPT:
    // the script is loaded again).
    redis.resume().await;
    until_shared(&limiter).await;
    assert!(!limiter.on_fallback());
    assert_eq!(metrics.rate_limit_fallback.get(), 0);
    let decision = limiter.check(&account).await;
    assert_eq!(
        (decision.source, decision.outcome.allowed),
        (Source::Shared, true)
    );
}

#[tokio::test]
async fn a_redis_that_does_not_answer_is_left_after_the_timeout() {
    let redis = PrivateRedis::start().await;
    let prefix = format!("{}:", testing::unique("rl"));
    let (limiter, metrics) = replica(&redis.url(), &prefix).await;
    let account = bucket(limits(100, 100));
    assert_eq!(limiter.check(&account).await.source, Source::Shared);

    redis.freeze();
    let decision = tokio::time::timeout(Duration::from_secs(5), limiter.check(&account))
        .await
        .expect("the limiter does not wait for a frozen Redis");
    assert_eq!(
        (decision.source, decision.outcome.allowed),
        (Source::Local, true)
    );
    assert_eq!(metrics.rate_limit_fallback.get(), 1);

    redis.thaw();
    until_shared(&limiter).await;
    assert_eq!(metrics.rate_limit_fallback.get(), 0);
}
