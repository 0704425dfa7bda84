//! `ApiJson<T>`: the JSON body extractor. Malformed JSON, wrong types,
//! missing and unknown fields and oversize bodies become 4xx errors in the
//! API's shape that name the offending field.

use super::error::{ApiError, field_error};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request, rejection::BytesRejection},
    http::{StatusCode, header},
};
use barpel_api::ErrorType;
use serde::de::DeserializeOwned;

/// Request bodies are capped at 64 KiB (DESIGN §4).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A deserialized JSON body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        check_content_type(&req)?;
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a body, naming the field at fault in the error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "body",
            "body_missing",
            "The request body is empty; send a JSON object.",
        ));
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::invalid(
            "body",
            "body_not_object",
            "The request body must be a JSON object ({...}).",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        describe(&path, &inner)
    })
}

fn check_content_type(req: &Request) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok(()); // lenient: a body without a type is read as JSON
    };
    let mime = value.to_str().unwrap_or_default();
    let essence = mime.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json") {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorType::InvalidRequestError,
        "unsupported_content_type",
        format!(
            "Content-Type {mime:?} is not supported; send JSON with Content-Type: application/json."
        ),
    ))
}

fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorType::InvalidRequestError,
            "body_too_large",
            format!(
                "The request body is larger than {} KiB.",
                MAX_BODY_BYTES / 1024
            ),
        )
    } else {
        ApiError::invalid(
            "body",
            "body_unreadable",
            "The request body could not be read.",
        )
    }
}

/// Turns a serde error at `path` into a precise 400.
fn describe(path: &str, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let text = e.to_string();
    if matches!(e.classify(), Category::Syntax | Category::Eof) {
        return ApiError::invalid(
            "body",
            "body_invalid_json",
            format!("The request body is not valid JSON: {text}"),
        );
    }
    let detail = text.split(" at line ").next().unwrap_or(&text);
    field_error(path, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn err(body: &str) -> ApiError {
        parse::<Body>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn names_unknown_missing_and_mistyped_fields() {
        let e = err(r#"{"name":"x","colour":1}"#);
        assert_eq!(
            (e.code.as_ref(), e.param.as_deref()),
            ("parameter_unknown", Some("colour"))
        );
        let e = err(r#"{"name":"x","inner":{"count":1,"extra":2}}"#);
        assert_eq!(e.param.as_deref(), Some("inner.extra"));
        let e = err(r#"{}"#);
        assert_eq!(
            (e.code.as_ref(), e.param.as_deref()),
            ("parameter_missing", Some("name"))
        );
        let e = err(r#"{"name":"x","inner":{"count":"three"}}"#);
        assert_eq!(
            (e.code.as_ref(), e.param.as_deref()),
            ("parameter_invalid", Some("inner.count"))
        );
        assert!(e.message.contains("inner.count"), "{}", e.message);
    }

    #[test]
    fn malformed_and_empty_bodies_are_400s() {
        assert_eq!(err(r#"{"name": "#).code, "body_invalid_json");
        assert_eq!(err("  ").code, "body_missing");
        assert_eq!(err("[1]").param.as_deref(), Some("body"));
    }
}
