//! Authentication of every `/v1` route: `Authorization: Bearer <key>`.
//! Each way a key can be wrong has its own 401 code and a message saying
//! what to fix; the key itself is never echoed in full.

use super::error::ApiError;
use crate::{
    keys::{
        KeyLookup, Principal,
        format::{self, KeyFormatError},
    },
    state::AppState,
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, header, request::Parts},
    middleware::Next,
    response::Response,
};

/// Middleware: resolves the key to a `Principal` and stores it on the
/// request for the routes (and the rate limiter and idempotency layers).
pub async fn layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let principal = authenticate(&state, request.headers()).await?;
    tracing::Span::current().record("account", principal.account_id.as_str());
    request.extensions_mut().insert(principal);
    Ok(next.run(request).await)
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let key = bearer(headers)?;
    let parsed = format::parse(key).map_err(|e| malformed(key, e))?;
    match state.keys.lookup(&parsed.hash).await.map_err(|e| {
        tracing::warn!(error = %e, "API key lookup failed");
        ApiError::from(barpel_platform::ServiceError::new(
            barpel_platform::ErrorKind::Unavailable,
            "authentication_unavailable",
            "Your API key could not be checked right now; retry shortly.",
        ))
    })? {
        KeyLookup::Active(principal) => Ok(principal),
        KeyLookup::Revoked => Err(ApiError::unauthenticated(
            "api_key_revoked",
            format!(
                "The API key {} has been revoked. Create a new key with `barpel keys create`.",
                redact(key)
            ),
        )),
        KeyLookup::Unknown => Err(ApiError::unauthenticated(
            "api_key_unknown",
            format!(
                "No such API key: {}. Check that you copied the whole key and that it belongs to this Barpel installation.",
                redact(key)
            ),
        )),
    }
}

/// The key in `Authorization: Bearer <key>` (also read, without any
/// lookup, by the unauthenticated-flood guard).
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthenticated(
            "api_key_missing",
            "No API key provided. Send your key in the Authorization header: `Authorization: Bearer barpel_sk_test_…`.",
        ));
    };
    let value = value.to_str().unwrap_or_default().trim();
    let (scheme, key) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthenticated(
            "authorization_scheme_invalid",
            format!(
                "The Authorization header uses the {:?} scheme; Barpel expects `Authorization: Bearer <API key>`.",
                scheme
            ),
        ));
    }
    Ok(key.trim())
}

fn malformed(key: &str, e: KeyFormatError) -> ApiError {
    let why = match e {
        KeyFormatError::UnknownPrefix => {
            "Barpel API keys start with barpel_sk_live_ or barpel_sk_test_"
        }
        KeyFormatError::Malformed => {
            "after barpel_sk_live_ or barpel_sk_test_ a key has exactly 36 letters and digits"
        }
        KeyFormatError::BadChecksum => {
            "its checksum does not match, so it was probably mistyped or truncated"
        }
    };
    ApiError::unauthenticated(
        "api_key_malformed",
        format!(
            "The API key {} is malformed: {why}. Copy the whole key again.",
            redact(key)
        ),
    )
}

/// Enough of a key to recognise it, never enough to use it.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 24 {
        let shown: String = chars.iter().take(8).collect();
        return format!("'{shown}…'");
    }
    let head: String = chars[..19].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("'{head}…{tail}'")
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::internal("route mounted without the authentication layer"))
    }
}
