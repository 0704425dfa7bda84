//! Start-up and shutdown shared by the gRPC backends: connect, migrate,
//! bind, relay the outbox, serve, and stop in order when asked.

use crate::{
    Shutdown,
    bus::{Bus, BusConfig},
    config::{ConfigError, Env},
    db::{self, DatabaseConfig},
    grpc,
    outbox::{self, Relay, RelayConfig},
};
use sqlx::{PgPool, migrate::Migrator};
use std::{future::Future, net::SocketAddr};
use tokio::{net::TcpListener, task::JoinHandle, task::JoinSet};
use tonic::transport::server::Router;

/// A running service. Cancel the shutdown token it was started with, then
/// `wait()` for it to drain and stop.
#[derive(Debug)]
pub struct ServiceHandle {
    /// The service's name, for logs.
    pub name: &'static str,
    /// The bound address (useful when the config asked for port 0).
    pub addr: SocketAddr,
    task: JoinHandle<anyhow::Result<()>>,
}

impl ServiceHandle {
    pub fn new(name: &'static str, addr: SocketAddr, task: JoinHandle<anyhow::Result<()>>) -> Self {
        Self { name, addr, task }
    }

    /// Waits until the service has stopped; its error, or a panic, is
    /// returned as an error.
    pub async fn wait(self) -> anyhow::Result<()> {
        match self.task.await {
            Ok(result) => result,
            Err(e) => Err(anyhow::anyhow!("{} task failed: {e}", self.name)),
        }
    }

    /// Stops the service abruptly, as a crash would (tests use this to show
    /// that nothing is lost when a replica dies). Background tasks it
    /// spawned are aborted with it.
    pub fn abort(&self) {
        self.task.abort();
    }
}

/// How long a stopping service keeps publishing its outbox.
const FINAL_FLUSH: std::time::Duration = std::time::Duration::from_secs(5);

/// What every gRPC backend needs: where to listen, its schema, the bus.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    pub listen: SocketAddr,
    pub database: DatabaseConfig,
    pub bus: BusConfig,
}

impl BackendConfig {
    /// Reads `<PREFIX>_ADDR` (default `127.0.0.1:<port>`),
    /// `<PREFIX>_DB_SCHEMA` (default `schema`), and the shared database and
    /// bus variables.
    pub fn from_env(env: &Env, prefix: &str, port: u16, schema: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            listen: env.parse(
                &format!("{prefix}_ADDR"),
                SocketAddr::from(([127, 0, 0, 1], port)),
                "host:port, e.g. 0.0.0.0:50051",
            )?,
            database: DatabaseConfig::from_env(env, &format!("{prefix}_DB_SCHEMA"), schema)?,
            bus: BusConfig::from_env(env)?,
        })
    }
}

/// Connects to a backend's schema and applies the outbox's migrations and
/// then the service's own.
pub async fn migrate(database: &DatabaseConfig, migrator: &Migrator) -> anyhow::Result<PgPool> {
    let pool = db::connect(database).await?;
    outbox::migrate(&pool, &database.schema).await?;
    db::migrate(&pool, &database.schema, migrator).await?;
    Ok(pool)
}

/// A backend between start-up and serving: connected, migrated, bound, with
/// its outbox relay running. Spawn workers on it, then `serve`.
pub struct Backend {
    name: &'static str,
    pub pool: PgPool,
    pub bus: Bus,
    pub addr: SocketAddr,
    listener: TcpListener,
    shutdown: Shutdown,
    tasks: JoinSet<()>,
    schema: String,
}

impl Backend {
    /// Connects to Postgres and NATS, applies the outbox's and the
    /// service's migrations to its schema, binds the gRPC port and starts
    /// the outbox relay.
    pub async fn start(
        name: &'static str,
        config: &BackendConfig,
        migrator: &Migrator,
        shutdown: Shutdown,
    ) -> anyhow::Result<Self> {
        let schema = config.database.schema.as_str();
        let pool = migrate(&config.database, migrator).await?;
        tracing::info!(service = name, schema, "migrations applied");
        let bus = Bus::connect(config.bus.clone()).await?;
        let (listener, addr) = grpc::bind(config.listen).await?;
        let mut backend = Self {
            name,
            pool,
            bus,
            addr,
            listener,
            shutdown,
            tasks: JoinSet::new(),
            schema: schema.to_owned(),
        };
        let relay = Relay::new(
            backend.pool.clone(),
            backend.bus.clone(),
            RelayConfig::new(schema),
        );
        let token = backend.shutdown.clone();
        backend.spawn(relay.run(token));
        Ok(backend)
    }

    /// The token background work should watch.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Runs background work until shutdown; `serve` waits for it on the
    /// way out.
    pub fn spawn(&mut self, work: impl Future<Output = ()> + Send + 'static) {
        self.tasks.spawn(work);
    }

    /// Serves `router` until shutdown: stops accepting, drains in-flight
    /// calls, waits for background work, closes the pool.
    pub fn serve(self, router: Router) -> ServiceHandle {
        let Self {
            name,
            pool,
            bus,
            addr,
            listener,
            shutdown,
            mut tasks,
            schema,
        } = self;
        tracing::info!(service = name, %addr, "gRPC listening");
        let task = tokio::spawn(async move {
            let served = grpc::serve(router, listener, shutdown.clone()).await;
            tracing::info!(service = name, "gRPC drained");
            shutdown.cancel(); // a server error stops the background work too
            while tasks.join_next().await.is_some() {}
            tracing::info!(service = name, "background work stopped");
            // Events written while work wound down (calls ended on the way
            // out) are published now rather than at the next start.
            let relay = Relay::new(pool.clone(), bus, RelayConfig::new(&schema));
            let flushed = tokio::time::timeout(FINAL_FLUSH, relay.flush()).await;
            tracing::info!(service = name, published = ?flushed.ok(), "outbox flushed");
            pool.close().await;
            tracing::info!(service = name, "stopped");
            served
        });
        ServiceHandle::new(name, addr, task)
    }
}
