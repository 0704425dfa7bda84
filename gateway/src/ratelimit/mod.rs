//! Rate limits per plan, shared across gateway replicas (DESIGN §5).
//!
//! Each account has, per mode, two tiers: a sustained per-minute rate and a
//! per-second burst (starter 100/min and 20/s, growth 500 and 50, scale
//! 2000 and 200, enterprise set per account). Both are GCRA buckets
//! ([`gcra`]) checked together in one Lua script in Redis ([`redis`]): one
//! round trip per request, Redis's clock, and neither tier spent unless both
//! admit. If Redis fails or is slow, each replica limits on its own until
//! it answers again ([`limiter`]). In front of authentication, a per-address
//! guard bounds failed authentications ([`flood`]). [`headers`] renders
//! `RateLimit-Policy`, `RateLimit` and `X-RateLimit-*`.
//!
//! Layer order on `/v1`: flood guard → authentication → [`layer`] →
//! idempotency → route.

pub mod flood;
pub mod gcra;
pub mod headers;
mod layer;
pub mod limiter;
pub mod local;
pub mod redis;

pub use flood::FloodGuard;
pub use layer::layer;
pub use limiter::{BucketId, Decision, LimiterSettings, RateLimiter, Source};

use crate::{config::Config, http::metrics::Metrics};
use std::sync::Arc;

/// What one gateway replica keeps for rate limiting.
pub struct RateLimits {
    /// Per account and mode (Redis, with the local fallback).
    pub accounts: RateLimiter,
    /// Per client address, for requests without a known key.
    pub flood: FloodGuard,
}

impl RateLimits {
    pub fn new(
        config: &Config,
        redis: ::redis::aio::ConnectionManager,
        metrics: Arc<Metrics>,
    ) -> Self {
        let settings = LimiterSettings {
            redis_timeout: config.rate_limit.redis_timeout,
            probe_interval: config.rate_limit.probe_interval,
        };
        Self {
            accounts: RateLimiter::new(redis, &config.redis_prefix, settings, metrics),
            flood: FloodGuard::new(
                config.rate_limit.unauthenticated_per_minute,
                config.rate_limit.trust_forwarded_for,
            ),
        }
    }
}
