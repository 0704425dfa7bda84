//! The gateway's configuration, read from the environment.

use barpel_platform::{
    config::{ConfigError, Env},
    db::DatabaseConfig,
};
use std::{net::SocketAddr, time::Duration};

/// The default local Redis, as in the README.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Everything the gateway needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `GATEWAY_ADDR`, default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// The gateway's schema (`GATEWAY_DB_SCHEMA`, default `gateway`).
    pub database: DatabaseConfig,
    /// `REDIS_URL`.
    pub redis_url: String,
    /// Prefix of every Redis key this gateway writes (`REDIS_KEY_PREFIX`,
    /// default `barpel:`), so tests and tenants of one Redis stay apart.
    pub redis_prefix: String,
    /// gRPC backends (`CALL_SERVICE_URL`, `ORDERS_SERVICE_URL`,
    /// `ANALYTICS_SERVICE_URL`, `WEBHOOK_DISPATCHER_URL`).
    pub backends: BackendUrls,
    /// How long a key lookup is cached (`API_KEY_CACHE_TTL_MS`, ≤ 60 s).
    pub key_cache_ttl: Duration,
    /// Deadline of each backend call (`REQUEST_TIMEOUT_MS`, default 10 s).
    pub request_timeout: Duration,
    /// How long idempotent responses are kept (`IDEMPOTENCY_TTL_MS`, 24 h).
    pub idempotency_ttl: Duration,
    /// Rate limiting (`RATE_LIMIT_*`, `TRUST_FORWARDED_FOR`).
    pub rate_limit: RateLimitConfig,
}

/// Rate limiting knobs; the limits themselves come from each account's plan.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// How long a request waits for Redis before it is decided by this
    /// replica alone (`RATE_LIMIT_REDIS_TIMEOUT_MS`, default 100).
    pub redis_timeout: Duration,
    /// While Redis is away, how often one request tries it again
    /// (`RATE_LIMIT_REDIS_PROBE_MS`, default 1000).
    pub probe_interval: Duration,
    /// Failed authentications allowed per client address and minute, per
    /// replica (`RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE`, default 60).
    pub unauthenticated_per_minute: u32,
    /// Take the client address from the last `X-Forwarded-For` entry
    /// (`TRUST_FORWARDED_FOR`, default false): only behind a proxy that
    /// appends it, or clients could pick their own address.
    pub trust_forwarded_for: bool,
}

impl RateLimitConfig {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let positive = |var: &str, value: u64| {
            if value == 0 {
                return Err(ConfigError {
                    var: var.into(),
                    value: "0".into(),
                    reason: "must be at least 1".into(),
                });
            }
            Ok(value)
        };
        let redis_timeout =
            env.millis("RATE_LIMIT_REDIS_TIMEOUT_MS", Duration::from_millis(100))?;
        positive(
            "RATE_LIMIT_REDIS_TIMEOUT_MS",
            redis_timeout.as_millis() as u64,
        )?;
        let probe_interval = env.millis("RATE_LIMIT_REDIS_PROBE_MS", Duration::from_secs(1))?;
        positive(
            "RATE_LIMIT_REDIS_PROBE_MS",
            probe_interval.as_millis() as u64,
        )?;
        let per_minute = env.parse(
            "RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE",
            60u32,
            "a whole number of requests, at least 1",
        )?;
        positive("RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE", per_minute.into())?;
        Ok(Self {
            redis_timeout,
            probe_interval,
            unauthenticated_per_minute: per_minute,
            trust_forwarded_for: env.flag("TRUST_FORWARDED_FOR", false)?,
        })
    }
}

/// Where the gRPC services listen.
#[derive(Debug, Clone)]
pub struct BackendUrls {
    pub calls: String,
    pub orders: String,
    pub analytics: String,
    pub webhooks: String,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let grpc = |var: &str, port: u16| {
            env.url(var, &format!("http://127.0.0.1:{port}"), &["http", "https"])
        };
        let key_cache_ttl = env.millis("API_KEY_CACHE_TTL_MS", Duration::from_secs(30))?;
        if key_cache_ttl > Duration::from_secs(60) {
            return Err(ConfigError {
                var: "API_KEY_CACHE_TTL_MS".into(),
                value: key_cache_ttl.as_millis().to_string(),
                reason: "at most 60000, so that revoked keys stop working within a minute".into(),
            });
        }
        Ok(Self {
            listen: env.parse(
                "GATEWAY_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 8080)),
                "host:port, e.g. 0.0.0.0:8080",
            )?,
            database: DatabaseConfig::from_env(env, "GATEWAY_DB_SCHEMA", "gateway")?,
            redis_url: env.url("REDIS_URL", DEFAULT_REDIS_URL, &["redis", "rediss"])?,
            redis_prefix: env.string("REDIS_KEY_PREFIX", "barpel:"),
            backends: BackendUrls {
                calls: grpc("CALL_SERVICE_URL", 50051)?,
                orders: grpc("ORDERS_SERVICE_URL", 50052)?,
                analytics: grpc("ANALYTICS_SERVICE_URL", 50053)?,
                webhooks: grpc("WEBHOOK_DISPATCHER_URL", 50054)?,
            },
            key_cache_ttl,
            request_timeout: env.millis("REQUEST_TIMEOUT_MS", Duration::from_secs(10))?,
            idempotency_ttl: env.millis("IDEMPOTENCY_TTL_MS", Duration::from_secs(24 * 3600))?,
            rate_limit: RateLimitConfig::from_env(env)?,
        })
    }
}
