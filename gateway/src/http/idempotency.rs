//! `Idempotency-Key` on POST requests, kept in Redis per account and mode.
//!
//! The first request with a key claims it (`SET NX`) and runs; its response
//! is stored for the configured TTL (24 h). A retry with the same key and
//! the same request gets the stored response with `Idempotent-Replayed:
//! true`; the same key with another request is a 422; a retry while the
//! first is still running is a 409. Server errors release the key, so the
//! client can retry. Redis being down does not stop POSTs: the request runs
//! without replay protection (call creation is also deduplicated by key in
//! call-service itself, so a customer is never rung twice).

use super::{error::ApiError, json::MAX_BODY_BYTES};
use crate::{keys::Principal, state::AppState};
use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use barpel_api::ErrorType;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const MAX_KEY_LEN: usize = 255;

/// What Redis holds under a key.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    /// SHA-256 of method, path and body: "the same request".
    fingerprint: String,
    /// `None` while the first request runs.
    response: Option<StoredResponse>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredResponse {
    status: u16,
    content_type: Option<String>,
    body: String,
}

/// Middleware for authenticated routes.
pub async fn layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if request.method() != Method::POST {
        return Ok(next.run(request).await);
    }
    let Some(key) = idempotency_key(&request)? else {
        return Ok(next.run(request).await);
    };
    let principal = request
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(|| ApiError::internal("idempotency layer without authentication"))?;
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())?;
    let fingerprint = fingerprint(&parts.method, parts.uri.path(), &body);
    let store = Store::new(&state, &principal, &key);
    let request = Request::from_parts(parts, Body::from(body));
    match store.claim(&fingerprint).await {
        Ok(None) => {
            let response = next.run(request).await;
            Ok(store.finish(&fingerprint, response).await)
        }
        Ok(Some(existing)) => replay(existing, &fingerprint),
        Err(e) => {
            tracing::warn!(error = %e, "idempotency store unavailable; running without replay protection");
            Ok(next.run(request).await)
        }
    }
}

fn idempotency_key(request: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(&IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "idempotency_key_invalid",
            format!(
                "The Idempotency-Key header must be 1 to {MAX_KEY_LEN} printable ASCII characters (a UUID is ideal)."
            ),
        ));
    }
    Ok(Some(key.to_owned()))
}

fn fingerprint(method: &Method, path: &str, body: &Bytes) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str());
    hasher.update(b" ");
    hasher.update(path);
    hasher.update(b"\n");
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn replay(existing: Record, fingerprint: &str) -> Result<Response, ApiError> {
    if existing.fingerprint != fingerprint {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorType::IdempotencyError,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request (method, path or body). Use a new key for a new request.",
        )
        .with_param("Idempotency-Key"));
    }
    let Some(stored) = existing.response else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorType::IdempotencyError,
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still being processed. Retry after it completes.",
        )
        .with_param("Idempotency-Key"));
    };
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    if let Some(value) = stored
        .content_type
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED.clone(), HeaderValue::from_static("true"));
    Ok(response)
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorType::InvalidRequestError,
        "body_too_large",
        format!(
            "The request body is larger than {} KiB.",
            MAX_BODY_BYTES / 1024
        ),
    )
}

/// One idempotency key's slot in Redis.
struct Store {
    redis: redis::aio::ConnectionManager,
    key: String,
    ttl: Duration,
    /// A claim expires on its own if this gateway dies mid-request.
    claim_ttl: Duration,
}

impl Store {
    fn new(state: &AppState, principal: &Principal, key: &str) -> Self {
        let mode = if principal.livemode { "live" } else { "test" };
        Self {
            redis: state.redis.clone(),
            key: format!(
                "{}idem:{}:{mode}:{key}",
                state.config.redis_prefix, principal.account_id
            ),
            ttl: state.config.idempotency_ttl,
            claim_ttl: state.config.request_timeout + Duration::from_secs(30),
        }
    }

    /// Claims the key, or returns what another request left there.
    async fn claim(&self, fingerprint: &str) -> redis::RedisResult<Option<Record>> {
        let mut redis = self.redis.clone();
        let record = Record {
            fingerprint: fingerprint.to_owned(),
            response: None,
        };
        let claimed: Option<String> = redis::cmd("SET")
            .arg(&self.key)
            .arg(to_json(&record))
            .arg("NX")
            .arg("PX")
            .arg(self.claim_ttl.as_millis() as u64)
            .query_async(&mut redis)
            .await?;
        if claimed.is_some() {
            return Ok(None);
        }
        let existing: Option<String> = redis.get(&self.key).await?;
        Ok(existing
            .and_then(|raw| serde_json::from_str(&raw).ok())
            .or(Some(record)))
    }

    /// Stores a final response, or releases the key after a server error.
    async fn finish(&self, fingerprint: &str, response: Response) -> Response {
        let mut redis = self.redis.clone();
        if response.status().is_server_error() {
            let _: redis::RedisResult<()> = redis.del(&self.key).await;
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = to_bytes(body, usize::MAX).await else {
            let _: redis::RedisResult<()> = redis.del(&self.key).await;
            return ApiError::internal("response body unreadable").into_response();
        };
        let record = Record {
            fingerprint: fingerprint.to_owned(),
            response: Some(StoredResponse {
                status: parts.status.as_u16(),
                content_type: parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }),
        };
        let stored: redis::RedisResult<()> = redis
            .set_options(
                &self.key,
                to_json(&record),
                redis::SetOptions::default()
                    .with_expiration(redis::SetExpiry::PX(self.ttl.as_millis() as u64)),
            )
            .await;
        if let Err(e) = stored {
            tracing::warn!(error = %e, "could not store idempotent response");
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

fn to_json(record: &Record) -> String {
    serde_json::to_string(record).unwrap_or_default()
}
