//! Shared plumbing for every Barpel service. Nothing here knows about calls,
//! orders or webhooks: it is configuration, telemetry, Postgres, the
//! JetStream bus, the transactional outbox, ids, shutdown and gRPC wiring.

pub mod bus;
pub mod config;
pub mod db;
pub mod error;
pub mod grpc;
pub mod ids;
pub mod outbox;
pub mod phone;
pub mod process;
pub mod service;
pub mod shutdown;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{ErrorKind, ServiceError};
pub use service::ServiceHandle;
pub use shutdown::Shutdown;
