//! call-service: places AI calls and keeps their state, transcript and
//! outcome, owning the `calls` schema.
//!
//! - `calls` (create/get/list/cancel) is what the API offers; `validate`
//!   and `language` check what it is given;
//! - `call` is the call and its state machine; `store/` its tables, the
//!   dial queue and the outbox writes;
//! - `dialer` claims queued calls (any replica can) and `runner` runs each
//!   one: `telephony/` places it (the simulator in test mode), `agent/`
//!   decides what is said, `orders` looks orders up in orders-service.

mod agent;
mod call;
mod calls;
mod config;
mod convert;
mod dialer;
mod events;
mod grpc;
mod language;
mod orders;
mod runner;
mod store;
mod telephony;
mod validate;

pub use config::Config;

use agent::nlu::KeywordModel;
use barpel_platform::{
    ServiceHandle, Shutdown, db, grpc as platform_grpc, ids,
    service::{self, Backend},
};
use barpel_proto::calls::v1::call_service_server::CallServiceServer;
use sqlx::migrate::Migrator;
use std::sync::Arc;

/// The service's name in logs and traces.
pub const NAME: &str = "call-service";

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connects, migrates, binds, starts the dialer and serves until `shutdown`.
pub async fn start(config: Config, shutdown: Shutdown) -> anyhow::Result<ServiceHandle> {
    let mut backend = Backend::start(NAME, &config.backend, &MIGRATOR, shutdown).await?;
    let mut workers = config.backend.database.clone();
    workers.max_connections = config.worker_db_connections;
    let work_store = store::Store::new(db::connect(&workers).await?);
    let runner = Arc::new(runner::Runner {
        store: work_store.clone(),
        simulator: Arc::new(telephony::simulator::Simulator {
            speed: config.simulation_speed,
        }),
        model: Arc::new(KeywordModel),
        orders: Arc::new(orders::GrpcOrderBook::new(&config.orders_url)?),
        price_per_minute: config.live_price_per_minute,
    });
    let dialer = dialer::Dialer::new(
        work_store,
        runner,
        dialer::DialerConfig {
            owner: ids::new_id("inst"),
            schema: config.backend.database.schema.clone(),
            max_active: config.max_active_calls,
            lease: config.lease,
            poll: config.poll,
            drain: config.drain,
        },
    );
    backend.spawn(dialer.run(backend.shutdown()));
    let (router, health) = platform_grpc::router()?;
    let server = CallServiceServer::new(grpc::CallsGrpc {
        calls: calls::Calls::new(store::Store::new(backend.pool.clone())),
    });
    health
        .set_serving::<CallServiceServer<grpc::CallsGrpc>>()
        .await;
    Ok(backend.serve(router.add_service(server)))
}

/// Applies the schema's migrations without serving (`barpel migrate`).
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    service::migrate(&config.backend.database, &MIGRATOR).await?;
    Ok(())
}
