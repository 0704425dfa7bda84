//! The API's HTTP conventions, shared by every route: the error shape,
//! `Request-Id`, body and query extraction, authentication, idempotency and
//! metrics.

pub mod auth;
pub mod error;
pub mod idempotency;
pub mod json;
pub mod metrics;
pub mod query;
pub mod request_id;

pub use error::ApiError;
pub use json::ApiJson;
pub use query::ApiQuery;
