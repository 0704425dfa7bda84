//! The OpenAPI 3.1 document (generated from the handlers' annotations) at
//! `/v1/openapi.json`, and a browsable reference at `/docs` that renders it
//! in the browser with no external assets, so it works offline.

use axum::{Json, Router, response::Html, routing::get};
use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, Content, Header, ObjectBuilder, Ref, RefOr, Required, Response, ResponseBuilder,
        Type,
        path::{Parameter, ParameterBuilder, ParameterIn},
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

/// Adds what every operation shares, so no handler repeats it: the error
/// responses that can come from the layers in front of it (auth, rate
/// limit, idempotency, deadlines), the `Request-Id` and rate-limit headers
/// on every response, and the `Idempotency-Key` header on POSTs.
pub fn add_conventions(openapi: &mut openapi::OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let has_id = path.contains('{');
        let ops = [
            (false, item.get.as_mut()),
            (true, item.post.as_mut()),
            (false, item.patch.as_mut()),
            (false, item.delete.as_mut()),
        ];
        for (is_post, op) in ops {
            let Some(op) = op else { continue };
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    add_common_headers(response);
                }
            }
            for (status, description) in errors(has_id, is_post) {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::T(error_response(status, description)));
            }
            if is_post {
                op.parameters
                    .get_or_insert_with(Vec::new)
                    .push(RefOr::T(idempotency_header()));
            }
        }
    }
}

fn errors(has_id: bool, is_post: bool) -> Vec<(&'static str, &'static str)> {
    let mut errors = vec![
        (
            "400",
            "Invalid request: a parameter is missing, unknown or wrong; `param` names it.",
        ),
        (
            "401",
            "No API key, or a malformed, unknown or revoked one; `code` says which.",
        ),
        (
            "429",
            "Too many requests for the plan (or too many failed authentications from this address); retry after `Retry-After` seconds.",
        ),
        ("500", "An internal error; it has been logged."),
        (
            "503",
            "A service behind the API is unavailable; retry after `Retry-After` seconds.",
        ),
        ("504", "The request took too long; it may still complete."),
    ];
    if has_id {
        errors.push(("404", "No such object for this account and mode."));
    }
    if is_post {
        errors.push(("409", "The object's state forbids this, or a request with the same Idempotency-Key is still running."));
        errors.push(("413", "The body is larger than 64 KiB."));
        errors.push((
            "422",
            "The Idempotency-Key was used with a different request.",
        ));
    }
    errors
}

fn error_response(status: &str, description: &str) -> Response {
    let mut builder = ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
    );
    if status == "429" || status == "503" {
        builder = builder.header(
            "Retry-After",
            header("Seconds to wait before retrying.", Type::Integer),
        );
    }
    let mut response = builder.build();
    add_common_headers(&mut response);
    response
}

fn add_common_headers(response: &mut Response) {
    let headers = [
        (
            "Request-Id",
            "This request's id; quote it to support.",
            Type::String,
        ),
        (
            "RateLimit-Policy",
            "The plan's limits, e.g. `\"burst\";q=20;w=1, \"sustained\";q=100;w=60` (draft-ietf-httpapi-ratelimit-headers-11).",
            Type::String,
        ),
        (
            "RateLimit",
            "What is left of each limit, e.g. `\"burst\";r=19;t=1, \"sustained\";r=99;t=1`: requests left, seconds until one more (draft-ietf-httpapi-ratelimit-headers-11).",
            Type::String,
        ),
        (
            "X-RateLimit-Limit",
            "The binding limit (the one that refused, else the one with fewer requests left).",
            Type::Integer,
        ),
        (
            "X-RateLimit-Remaining",
            "Requests left under the binding limit.",
            Type::Integer,
        ),
        (
            "X-RateLimit-Reset",
            "Seconds until the binding limit is whole again.",
            Type::Integer,
        ),
    ];
    for (name, description, kind) in headers {
        response
            .headers
            .entry(name.to_owned())
            .or_insert_with(|| RefOr::T(header(description, kind)));
    }
}

fn header(description: &str, kind: Type) -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(kind));
    header.description = Some(description.to_owned());
    header
}

fn idempotency_header() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Up to 255 characters (a UUID is ideal). Retrying with the same key and body returns the first response with `Idempotent-Replayed: true`; kept 24 hours.",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).max_length(Some(255))))
        .build()
}

/// `/v1/openapi.json` and `/docs`.
pub fn router<S: Clone + Send + Sync + 'static>(openapi: openapi::OpenApi) -> Router<S> {
    let json = serde_json::to_value(&openapi).unwrap_or_default();
    Router::new()
        .route("/v1/openapi.json", get(move || async move { Json(json) }))
        .route("/docs", get(|| async { Html(include_str!("docs.html")) }))
}
