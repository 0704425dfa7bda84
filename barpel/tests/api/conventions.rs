//! The conventions every route shares: error shape, Request-Id, JSON and
//! size errors, unknown routes, aliases.

use crate::support::{TestApp, error_of, send};
use barpel_gateway::keys::Plan;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn request_ids_are_generated_or_kept() {
    let app = TestApp::spawn().await;
    let (_, headers, _) = send(app.http.get(format!("{}/healthz", app.base))).await;
    let generated = headers["request-id"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(generated.starts_with("req_"), "{generated}");

    let kept = app
        .http
        .get(format!("{}/v1/calls", app.base))
        .header("Request-Id", "client-trace.42");
    let (_, headers, body) = send(kept).await;
    assert_eq!(headers["request-id"], "client-trace.42");
    assert_eq!(body["error"]["request_id"], "client-trace.42");

    let refused = app
        .http
        .get(format!("{}/healthz", app.base))
        .header("Request-Id", "has spaces");
    let (_, headers, _) = send(refused).await;
    assert!(
        headers["request-id"]
            .to_str()
            .unwrap_or_default()
            .starts_with("req_")
    );
    app.stop().await;
}

#[tokio::test]
async fn malformed_bodies_are_400s_naming_the_problem() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let url = format!("{}/v1/calls", app.base);

    let raw = |body: &'static str| {
        app.http
            .post(&url)
            .bearer_auth(&key)
            .header("Content-Type", "application/json")
            .body(body)
    };
    let (status, _, body) = send(raw(r#"{"phone_number": "+14155551234", "purpose": "#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).1, "body_invalid_json");

    let (status, _, body) = send(raw(
        r#"{"phone_number": "+14155551234", "purpose": "cart_recovery", "colour": "red"}"#,
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&body),
        (
            "invalid_request_error".into(),
            "parameter_unknown".into(),
            Some("colour".into())
        )
    );

    let (status, _, body) = send(raw(
        r#"{"phone_number": 14155551234, "purpose": "cart_recovery"}"#,
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).2.as_deref(), Some("phone_number"));

    let (status, _, body) = send(raw(r#"{"purpose": "cart_recovery"}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).1, "parameter_missing");
    assert_eq!(error_of(&body).2.as_deref(), Some("phone_number"));

    let (status, _, body) = send(raw(
        r#"{"phone_number": "+14155551234", "purpose": "sales_pitch"}"#,
    ))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&body).2.as_deref(), Some("purpose"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("cart_recovery"),
        "{body}"
    );

    let huge = json!({"phone_number": "+14155551234", "purpose": "notification", "context": {"message": "x".repeat(70_000)}});
    let (status, _, body) = send(app.post(&key, "/v1/calls", &huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&body).1, "body_too_large");

    let form = app
        .http
        .post(&url)
        .bearer_auth(&key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("a=b");
    let (status, _, body) = send(form).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_of(&body).1, "unsupported_content_type");
    app.stop().await;
}

#[tokio::test]
async fn bad_query_parameters_are_400s() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("status=ringing_loudly", "status"),
        ("created[gte]=yesterday", "created[gte]"),
        ("color=blue", "color"),
    ] {
        let (status, _, body) = send(app.get(&key, &format!("/v1/calls?{query}"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(error_of(&body).2.as_deref(), Some(param), "{query}: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_aliases() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let (status, _, body) = send(app.get(&key, "/v1/nothing-here")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&body).1, "route_unknown");

    let (status, _, v1) = send(app.get(&key, "/v1/calls")).await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    let (status, _, alias) = send(app.get(&key, "/api/calls")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alias, v1);
    let (status, _, body) = send(app.get(&key, "/api/calls/call_doesnotexist")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&body).0, "not_found_error");
    app.stop().await;
}

#[tokio::test]
async fn backend_failures_become_503_and_504() {
    let app = TestApp::spawn_with(crate::support::Options {
        gateway: Box::new(|c| c.request_timeout = std::time::Duration::from_millis(1)),
        ..Default::default()
    })
    .await;
    let key = app.account(Plan::Starter).await.test_key;
    let (status, _, body) = send(app.get(&key, "/v1/calls")).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
    assert_eq!(
        error_of(&body),
        ("api_error".into(), "timeout".into(), None)
    );
    app.stop().await;

    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    app.kill("call-service");
    let (status, headers, body) = send(app.get(&key, "/v1/calls")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(error_of(&body).0, "api_error");
    assert_eq!(headers["retry-after"], "1");
    app.stop().await;
}

#[tokio::test]
async fn probes_report_health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let (status, _, body) = send(app.http.get(format!("{}/healthz", app.base))).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, _, body) = send(app.http.get(format!("{}/readyz", app.base))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for check in [
        "postgres",
        "redis",
        "call-service",
        "orders-service",
        "analytics-service",
        "webhook-dispatcher",
    ] {
        assert_eq!(body["checks"][check], "ok", "{body}");
    }

    send(app.get(&key, "/v1/calls")).await;
    let metrics = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics");
    let text = metrics.text().await.unwrap_or_default();
    assert!(
        text.contains("barpel_gateway_http_requests_total{"),
        "{text}"
    );
    assert!(text.contains("route=\"/v1/calls\""), "{text}");

    app.kill("orders-service");
    let (status, _, body) = send(app.http.get(format!("{}/readyz", app.base))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "not_ready");
    assert_ne!(body["checks"]["orders-service"], "ok", "{body}");
    assert_eq!(body["checks"]["postgres"], "ok");
    app.stop().await;
}
