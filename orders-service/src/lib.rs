//! orders-service: the merchant's order feed and order lookup, owner of the
//! `orders` schema.
//!
//! - `order.rs` the order and its proto form; `validate.rs` the rules for
//!   each field; `patch.rs` what a feed row changes (and whether that is
//!   an `order.updated`); `lookup.rs` how a query is read (type detection);
//! - `orders.rs` the operations (upsert, get, lookup) over `store.rs`
//!   (sqlx) and the transactional outbox;
//! - `grpc.rs` the thin tonic adapter of `barpel.orders.v1.OrderService`.

mod config;
mod grpc;
pub mod lookup;
pub mod order;
pub mod orders;
pub mod patch;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod validate;

pub use config::Config;

use barpel_platform::{
    ServiceHandle, Shutdown, grpc as platform_grpc,
    service::{self, Backend},
};
use barpel_proto::orders::v1::order_service_server::OrderServiceServer;
use sqlx::migrate::Migrator;

/// The service's name in logs and traces.
pub const NAME: &str = "orders-service";

/// The schema's migrations (public so tests and benchmarks can prepare a
/// schema without starting the service).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connects, migrates, binds and serves until `shutdown`.
pub async fn start(config: Config, shutdown: Shutdown) -> anyhow::Result<ServiceHandle> {
    let backend = Backend::start(NAME, &config.backend, &MIGRATOR, shutdown).await?;
    let orders = orders::Orders::new(backend.pool.clone(), config.default_phone_region);
    let (router, health) = platform_grpc::router()?;
    let router = router.add_service(OrderServiceServer::new(grpc::OrderGrpc::new(orders)));
    health
        .set_serving::<OrderServiceServer<grpc::OrderGrpc>>()
        .await;
    Ok(backend.serve(router))
}

/// Applies the schema's migrations without serving (`barpel migrate`).
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    service::migrate(&config.backend.database, &MIGRATOR).await?;
    Ok(())
}
