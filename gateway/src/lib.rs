//! The gateway: Barpel's public REST API. It authenticates API keys,
//! enforces per-plan rate limits and idempotency, and forwards to the gRPC
//! services, rendering their answers through the public JSON models.

pub mod backends;
pub mod config;
pub mod http;
pub mod keys;
pub mod ratelimit;
pub mod routes;
pub mod state;

pub use config::Config;

use barpel_platform::{ServiceHandle, Shutdown, db, grpc};
use keys::cache::KeyCache;
use sqlx::{PgPool, migrate::Migrator};
use state::AppState;
use std::{sync::Arc, time::Duration};

/// The service's name in logs and traces.
pub const NAME: &str = "gateway";

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connects to the gateway's schema and applies its migrations (accounts
/// and keys). Used by `start` and by the operator CLI.
pub async fn connect_and_migrate(database: &db::DatabaseConfig) -> anyhow::Result<PgPool> {
    let pool = db::connect(database).await?;
    db::migrate(&pool, &database.schema, &MIGRATOR).await?;
    Ok(pool)
}

/// Connects, migrates, binds and serves until `shutdown`.
pub async fn start(config: Config, shutdown: Shutdown) -> anyhow::Result<ServiceHandle> {
    let pool = connect_and_migrate(&config.database).await?;
    tracing::info!(service = NAME, schema = %config.database.schema, "migrations applied");
    let redis = connect_redis(&config.redis_url).await?;
    let metrics: Arc<http::metrics::Metrics> = Arc::default();
    let state = AppState {
        keys: Arc::new(KeyCache::new(pool.clone(), config.key_cache_ttl)),
        backends: backends::Backends::new(&config.backends, config.request_timeout)?,
        rate_limits: Arc::new(ratelimit::RateLimits::new(
            &config,
            redis.clone(),
            metrics.clone(),
        )),
        metrics,
        redis,
        pool: pool.clone(),
        config: Arc::new(config.clone()),
    };
    let (listener, addr) = grpc::bind(config.listen).await?;
    tracing::info!(service = NAME, %addr, "HTTP listening");
    let app = routes::app(state);
    let task = tokio::spawn(async move {
        // The peer address feeds the unauthenticated-flood guard.
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        tracing::info!(service = NAME, "HTTP drained");
        pool.close().await;
        tracing::info!(service = NAME, "stopped");
        served.map_err(Into::into)
    });
    Ok(ServiceHandle::new(NAME, addr, task))
}

/// A Redis connection that reconnects by itself; start-up fails with a
/// clear message if Redis cannot be reached at all.
async fn connect_redis(url: &str) -> anyhow::Result<redis::aio::ConnectionManager> {
    let unreachable = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "cannot reach Redis at {url}: {e}. Is redis-server running? Start it, or set REDIS_URL."
        )
    };
    let client = redis::Client::open(url).map_err(|e| unreachable(&e))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_millis(500)))
        .set_number_of_retries(2);
    redis::aio::ConnectionManager::new_with_config(client, config)
        .await
        .map_err(|e| unreachable(&e))
}
