//! call-service's configuration, read from the environment.

use barpel_platform::{
    config::{ConfigError, Env},
    service::BackendConfig,
};
use std::time::Duration;

/// Everything call-service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address (`CALL_SERVICE_ADDR`, default `127.0.0.1:50051`),
    /// schema (`CALL_SERVICE_DB_SCHEMA`, default `calls`), database and bus.
    pub backend: BackendConfig,
    /// orders-service, read by the order-status playbook (`ORDERS_SERVICE_URL`).
    pub orders_url: String,
    /// Simulated seconds per real second in test mode
    /// (`CALL_SIMULATION_SPEED`, default 10): a 90-second conversation takes
    /// 9 real seconds, while `duration` and transcript offsets stay
    /// realistic.
    pub simulation_speed: f64,
    /// Calls one instance runs at once (`CALL_SERVICE_MAX_ACTIVE_CALLS`).
    pub max_active_calls: usize,
    /// How long a claimed call stays owned without a heartbeat before
    /// another instance takes it over (`CALL_LEASE_MS`, default 10 s).
    pub lease: Duration,
    /// How often idle dialers look for queued calls when no notification
    /// arrives (`CALL_DIAL_POLL_MS`, default 1 s).
    pub poll: Duration,
    /// How long shutdown waits for running calls before giving them back
    /// (`CALL_DRAIN_MS`, default 10 s).
    pub drain: Duration,
    /// Connections of the pool that running calls write through
    /// (`CALL_WORKER_DB_CONNECTIONS`, default 10), apart from the pool that
    /// serves API requests, so a busy dialer never delays a create or get.
    pub worker_db_connections: u32,
    /// Live-mode price per started minute, in cents
    /// (`CALL_LIVE_PRICE_PER_MINUTE_CENTS`, default 9).
    pub live_price_per_minute: i64,
}

impl Config {
    /// The defaults, around a given backend (tests build configs this way).
    pub fn new(backend: BackendConfig) -> Self {
        Self {
            backend,
            orders_url: "http://127.0.0.1:50052".into(),
            simulation_speed: 10.0,
            max_active_calls: 5_000,
            lease: Duration::from_secs(10),
            poll: Duration::from_secs(1),
            drain: Duration::from_secs(10),
            worker_db_connections: 10,
            live_price_per_minute: 9,
        }
    }

    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = Self::new(BackendConfig::from_env(
            env,
            "CALL_SERVICE",
            50051,
            "calls",
        )?);
        let speed = env.parse(
            "CALL_SIMULATION_SPEED",
            defaults.simulation_speed,
            "a positive number",
        )?;
        if !(speed.is_finite() && speed > 0.0) {
            return Err(ConfigError {
                var: "CALL_SIMULATION_SPEED".into(),
                value: speed.to_string(),
                reason: "expected a positive number (1 = real time)".into(),
            });
        }
        Ok(Self {
            orders_url: env.url(
                "ORDERS_SERVICE_URL",
                &defaults.orders_url,
                &["http", "https"],
            )?,
            simulation_speed: speed,
            max_active_calls: env.parse(
                "CALL_SERVICE_MAX_ACTIVE_CALLS",
                defaults.max_active_calls,
                "a number of calls",
            )?,
            lease: env.millis("CALL_LEASE_MS", defaults.lease)?,
            poll: env.millis("CALL_DIAL_POLL_MS", defaults.poll)?,
            drain: env.millis("CALL_DRAIN_MS", defaults.drain)?,
            worker_db_connections: env.parse(
                "CALL_WORKER_DB_CONNECTIONS",
                defaults.worker_db_connections,
                "a number of connections",
            )?,
            live_price_per_minute: env.parse(
                "CALL_LIVE_PRICE_PER_MINUTE_CENTS",
                defaults.live_price_per_minute,
                "a whole number of cents",
            )?,
            ..defaults
        })
    }
}
