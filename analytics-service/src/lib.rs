//! analytics-service: the `analytics` schema's owner.
//!
//! Rollups arrive with the analytics issue; until then the service migrates its (empty) schema, relays its outbox and answers health checks.

mod config;

pub use config::Config;

use barpel_platform::{
    ServiceHandle, Shutdown, grpc,
    service::{self, Backend},
};
use sqlx::migrate::Migrator;

/// The service's name in logs and traces.
pub const NAME: &str = "analytics-service";

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connects, migrates, binds and serves until `shutdown`.
pub async fn start(config: Config, shutdown: Shutdown) -> anyhow::Result<ServiceHandle> {
    let backend = Backend::start(NAME, &config.backend, &MIGRATOR, shutdown).await?;
    let (router, _health) = grpc::router()?;
    Ok(backend.serve(router))
}

/// Applies the schema's migrations without serving (`barpel migrate`).
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    service::migrate(&config.backend.database, &MIGRATOR).await?;
    Ok(())
}
