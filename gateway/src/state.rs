//! What every request handler can reach.

use crate::{
    backends::Backends, config::Config, http::metrics::Metrics, keys::cache::KeyCache,
    ratelimit::RateLimits,
};
use redis::aio::ConnectionManager;
use sqlx::PgPool;
use std::sync::Arc;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: PgPool,
    pub keys: Arc<KeyCache>,
    pub redis: ConnectionManager,
    pub backends: Backends,
    pub metrics: Arc<Metrics>,
    /// Per-account limits and the unauthenticated-flood guard.
    pub rate_limits: Arc<RateLimits>,
}
