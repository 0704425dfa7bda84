//! `Request-Id`: every response carries one; a well-formed id sent by the
//! client is kept (so its logs and ours line up), otherwise a `req_…` id is
//! made. The id is in scope for the whole request so that error bodies and
//! logs can quote it.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use barpel_platform::{ids, telemetry};
use tracing::Instrument;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled ("" outside one).
pub fn current() -> String {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// Client ids are kept when they are 1–128 visible, safe characters.
fn well_formed(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Middleware: picks the id, opens the request's span (continuing the
/// client's W3C trace if it sent one), runs the request in its scope and
/// stamps the response.
pub async fn layer(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map(str::to_owned)
        .unwrap_or_else(|| ids::new_id("req"));
    let span = tracing::info_span!(
        "http",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
        status = tracing::field::Empty,
    );
    telemetry::set_parent_from(&span, &telemetry::HeaderReader(request.headers()));
    let mut response = CURRENT
        .scope(id.clone(), next.run(request))
        .instrument(span.clone())
        .await;
    span.record("status", response.status().as_u16());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn accepts_only_safe_client_ids() {
        assert!(well_formed("7f3a-b2c1_retry.2"));
        assert!(!well_formed(""));
        assert!(!well_formed("has space"));
        assert!(!well_formed(&"x".repeat(129)));
    }
}
