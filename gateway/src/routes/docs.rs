//! The OpenAPI 3.1 document (generated from the handlers' annotations) at
//! `/v1/openapi.json`, and a browsable reference at `/docs` that renders it
//! in the browser with no external assets, so it works offline.

use axum::{Json, Router, response::Html, routing::get};
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Barpel API",
        description = "AI voice support over REST: place outbound AI calls, read their transcripts and outcomes, look up orders, read analytics and subscribe to signed webhooks.\n\nAuthenticate with `Authorization: Bearer barpel_sk_test_…` (test mode: simulated calls, no charges) or `barpel_sk_live_…`. Every path under `/v1` is also served under `/api` (the original document's paths).\n\nErrors share one shape: `{\"error\": {type, code, message, param, request_id}}`. POST requests accept an `Idempotency-Key` header (kept 24 hours).",
        version = env!("CARGO_PKG_VERSION"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    modifiers(&BearerAuth),
    components(schemas(barpel_api::ErrorBody)),
    security(("api_key" = [])),
)]
struct ApiDoc;

/// Declares the bearer API key scheme the whole API uses.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("barpel_sk_{live|test}_…")
                    .description(Some("Your secret API key."))
                    .build(),
            ),
        );
    }
}

/// The document's fixed parts; routes add their paths to it.
pub fn base() -> openapi::OpenApi {
    ApiDoc::openapi()
}

/// `/v1/openapi.json` and `/docs`.
pub fn router<S: Clone + Send + Sync + 'static>(openapi: openapi::OpenApi) -> Router<S> {
    let json = serde_json::to_value(&openapi).unwrap_or_default();
    Router::new()
        .route("/v1/openapi.json", get(move || async move { Json(json) }))
        .route("/docs", get(|| async { Html(include_str!("docs.html")) }))
}
