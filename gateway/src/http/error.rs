//! `ApiError`: every failure a route can return, rendered in the one error
//! shape with the request's id.

use super::request_id;
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use barpel_api::{ErrorBody, ErrorDetail, ErrorType};
use barpel_platform::{ErrorKind, ServiceError};
use std::borrow::Cow;

/// A failed request: HTTP status, public type and code, a message that says
/// what to fix, and the parameter at fault.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: ErrorType,
    pub code: Cow<'static, str>,
    pub message: String,
    pub param: Option<String>,
    /// Seconds for `Retry-After` (429 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: ErrorType,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            kind,
            code: code.into(),
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }

    /// 400 about one parameter.
    pub fn invalid(
        param: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            code,
            message,
        )
        .with_param(param)
    }

    /// 401 with its own code.
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorType::AuthenticationError,
            code,
            message,
        )
    }

    /// 404 for an object that does not exist for this account and mode.
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::NotFoundError,
            "resource_missing",
            format!("No such {what}: '{id}'"),
        )
        .with_param("id")
    }

    /// 500 whose cause is logged and not shown.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ServiceError::internal(cause).into()
    }

    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let (status, kind) = match e.kind {
            ErrorKind::InvalidArgument => (StatusCode::BAD_REQUEST, ErrorType::InvalidRequestError),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, ErrorType::NotFoundError),
            ErrorKind::FailedPrecondition | ErrorKind::AlreadyExists => {
                (StatusCode::CONFLICT, ErrorType::InvalidRequestError)
            }
            ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, ErrorType::ApiError),
            ErrorKind::DeadlineExceeded => (StatusCode::GATEWAY_TIMEOUT, ErrorType::ApiError),
            ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, ErrorType::ApiError),
        };
        let retry_after = (status == StatusCode::SERVICE_UNAVAILABLE).then_some(1);
        Self {
            status,
            kind,
            code: e.code,
            message: e.message,
            param: e.param,
            retry_after,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                kind: self.kind,
                code: self.code.into_owned(),
                message: self.message,
                param: self.param,
                request_id: request_id::current(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A deserialization failure at `path` (serde's `a.b` notation, `.` for the
/// top level) as a 400 naming the parameter: unknown, missing, or invalid.
pub fn field_error(path: &str, detail: &str) -> ApiError {
    let join = |field: String| {
        if path == "." || path.is_empty() {
            field
        } else {
            format!("{path}.{field}")
        }
    };
    if let Some(field) = between(detail, "unknown field `", "`") {
        // serde_path_to_error's path already ends at the unknown field.
        let param = if path.ends_with(field.as_str()) {
            path.to_owned()
        } else {
            join(field)
        };
        let message = format!("Received unknown parameter: {param}");
        return ApiError::invalid(param, "parameter_unknown", message);
    }
    if let Some(field) = between(detail, "missing field `", "`") {
        let param = join(field);
        let message = format!("Missing required parameter: {param}");
        return ApiError::invalid(param, "parameter_missing", message);
    }
    let param = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    let message = format!("Invalid value for {param}: {detail}");
    ApiError::invalid(param, "parameter_invalid", message)
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(rest[..rest.find(end)?].to_owned())
}
