//! The one error type domain code returns across a service boundary. It
//! carries what the public API needs (`code`, `param`) and maps to exactly
//! one gRPC status (in `grpc::status`) and, at the gateway, one HTTP status.

use std::borrow::Cow;

/// What kind of failure, independent of transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is wrong; `param` names the field (HTTP 400).
    InvalidArgument,
    /// No such object for this account and mode (HTTP 404).
    NotFound,
    /// The object's state forbids the operation (HTTP 409).
    FailedPrecondition,
    /// The object already exists (HTTP 409).
    AlreadyExists,
    /// A dependency is down; retrying later can succeed (HTTP 503).
    Unavailable,
    /// A dependency did not answer in time (HTTP 504).
    DeadlineExceeded,
    /// A bug or an unexpected failure (HTTP 500, details only in logs).
    Internal,
}

/// A failure with a stable machine-readable `code` and a message written
/// for the API user.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    pub kind: ErrorKind,
    pub code: Cow<'static, str>,
    pub message: String,
    pub param: Option<String>,
}

impl ServiceError {
    pub fn new(
        kind: ErrorKind,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
            param: None,
        }
    }

    /// A 400 about one field: `code` is `parameter_invalid` or similar.
    pub fn invalid(
        param: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            param: Some(param.into()),
            ..Self::new(ErrorKind::InvalidArgument, code, message)
        }
    }

    /// A 404 for `what` (`call`, `order`) with the given id.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            ErrorKind::NotFound,
            "resource_missing",
            format!("No such {what}: '{id}'"),
        )
        .with_param("id")
    }

    /// A 500 whose cause is logged here and never shown to the caller.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ErrorKind::Internal,
            "internal_error",
            "An internal error occurred; it has been logged. Retrying may help.",
        )
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %e, "database unavailable");
                Self::new(
                    ErrorKind::Unavailable,
                    "database_unavailable",
                    "The service's database is unavailable; retry shortly.",
                )
            }
            _ => Self::internal(e),
        }
    }
}
