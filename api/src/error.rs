//! The one error shape of the API: `{"error": {type, code, message, param,
//! request_id}}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The broad class of an error; clients branch on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// The request was wrong: a missing or invalid parameter, bad JSON, a
    /// state that forbids the operation.
    InvalidRequestError,
    /// No, malformed, unknown or revoked API key.
    AuthenticationError,
    /// The key may not do this.
    PermissionError,
    /// No such object for this account and mode.
    NotFoundError,
    /// Too many requests; wait for `Retry-After` seconds.
    RateLimitError,
    /// An `Idempotency-Key` was reused with another request, or is in use.
    IdempotencyError,
    /// Something went wrong on Barpel's side.
    ApiError,
}

/// The error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// Machine-readable, stable: `parameter_missing`, `api_key_revoked`, …
    pub code: String,
    /// For humans: what went wrong and how to fix it.
    pub message: String,
    /// The parameter the error is about (`phone_number`,
    /// `context.cart_items`), or null.
    pub param: Option<String>,
    /// The request's id, also in the `Request-Id` header; quote it to support.
    pub request_id: String,
}

/// Every non-2xx response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}
