//! The HTTP surface: one router per resource under `/v1`, merged here with
//! the conventions every route shares, the probes and the docs.
//!
//! Layer order, outermost first: `Request-Id` (every response, every error
//! quotes it) → metrics → [for `/v1`: unauthenticated-flood guard →
//! authentication → rate limit → idempotency] → route. `/api/...` paths are
//! rewritten to `/v1/...` before routing, so the original API document's
//! paths reach the same handlers.

mod calls;
mod docs;
mod health;
mod orders;
mod pagination;

use crate::{
    http::{self, ApiError, json::MAX_BODY_BYTES},
    ratelimit,
    state::AppState,
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{StatusCode, Uri},
    middleware,
    routing::get,
};
use barpel_api::ErrorType;
use tower::Layer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The `/v1` routes, each documented from its handler's annotations.
fn v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(docs::base())
        .merge(calls::router())
        .merge(orders::router())
}

/// The routes and the OpenAPI document describing them.
pub fn v1_with_openapi() -> (Router<AppState>, OpenApi) {
    let (router, mut openapi) = v1().split_for_parts();
    docs::add_conventions(&mut openapi);
    (router, openapi)
}

/// The OpenAPI document, pretty-printed (`barpel openapi`).
pub fn openapi_json() -> String {
    v1_with_openapi().1.to_pretty_json().unwrap_or_default()
}

/// The whole application, ready to serve.
pub fn app(state: AppState) -> axum::Router {
    let (v1, openapi) = v1_with_openapi();
    let v1 = protect(v1, &state);
    let router = Router::new()
        .merge(v1)
        .merge(docs::router(openapi))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(unknown_route)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            http::metrics::layer,
        ))
        .layer(middleware::from_fn(http::request_id::layer))
        .with_state(state);
    // Outside the router, so it runs before routing.
    let aliased = tower::util::MapRequestLayer::new(alias_api_paths).layer(router);
    Router::new().fallback_service(aliased)
}

/// Puts `router` behind the layers every `/v1` route shares, outermost
/// first: the unauthenticated-flood guard (before any key lookup) →
/// authentication → rate limit → idempotency. Public so that benchmarks
/// measure exactly this stack around a trivial handler.
pub fn protect(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::idempotency::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ratelimit::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::auth::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ratelimit::flood::layer,
        ))
}

/// `/api/calls/…` → `/v1/calls/…` (the original document's paths).
fn alias_api_paths(mut request: Request) -> Request {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        let rest = &path[4..];
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        if let Ok(uri) = format!("/v1{rest}{query}").parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

async fn unknown_route(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorType::InvalidRequestError,
        "route_unknown",
        format!(
            "Unrecognized request URL ({} {}). See the API reference at /docs.",
            request.method(),
            request.uri().path()
        ),
    )
}
