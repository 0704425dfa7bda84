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
        })
    }
}
