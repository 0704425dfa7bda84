//! The OpenAPI document describes exactly the routes the gateway serves,
//! and the reference at /docs works offline.

use crate::support::{TestApp, send};
use barpel_gateway::keys::Plan;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;

/// Every public route. A route added to the gateway must be added here and
/// to the document (it is, by construction, when it is registered with
/// `routes!`); a route in one but not the other fails this test.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/calls"),
    ("post", "/v1/calls"),
    ("get", "/v1/calls/{id}"),
    ("post", "/v1/calls/{id}/cancel"),
    ("get", "/v1/orders/lookup"),
    ("post", "/v1/orders"),
    ("get", "/v1/orders/{id}"),
];

#[tokio::test]
async fn the_document_lists_every_route_and_every_route_answers() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Growth).await.test_key;
    let (status, _, doc) = send(app.http.get(format!("{}/v1/openapi.json", app.base))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");

    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "patch", "delete", "put"] {
            if let Some(op) = item.get(method) {
                documented.insert((method.to_owned(), path.clone()));
                for status in ["401", "429", "500"] {
                    assert!(
                        op["responses"].get(status).is_some(),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(
        documented, expected,
        "the document and the route list disagree"
    );

    for (method, path) in &documented {
        let url = format!("{}{}", app.base, path.replace("{id}", "x_unknown"));
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET);
        let request = app
            .http
            .request(method.clone(), &url)
            .bearer_auth(&key)
            .json(&serde_json::json!({}));
        let (status, _, body) = send(request).await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(
            body["error"]["code"], "route_unknown",
            "{method} {path} is documented but not served"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_reference_page_needs_no_network() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .expect("docs");
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("/v1/openapi.json"));
    for external in [
        "http://",
        "https://",
        "//cdn",
        "<link rel=\"stylesheet\" href",
    ] {
        assert!(
            !html.contains(external),
            "the page loads {external} from elsewhere"
        );
    }
    app.stop().await;
}
