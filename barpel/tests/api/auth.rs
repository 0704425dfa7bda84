//! Authentication: every way a key can be wrong is its own 401, and modes
//! and accounts never see each other's objects.

use crate::support::{TestApp, error_of, send};
use barpel_gateway::keys::{Plan, store};
use reqwest::StatusCode;

async fn unauthorized(app: &TestApp, authorization: Option<&str>) -> (String, String) {
    let mut request = app.http.get(format!("{}/v1/calls", app.base));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let (status, headers, body) = send(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(headers.contains_key("request-id"));
    let (kind, code, _) = error_of(&body);
    assert_eq!(kind, "authentication_error");
    (
        code,
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[tokio::test]
async fn each_bad_credential_has_its_own_401() {
    let app = TestApp::spawn().await;
    let account = app.account(Plan::Starter).await;

    let (code, message) = unauthorized(&app, None).await;
    assert_eq!(code, "api_key_missing");
    assert!(message.contains("Authorization: Bearer"), "{message}");

    let (code, _) = unauthorized(&app, Some(&format!("Basic {}", account.test_key))).await;
    assert_eq!(code, "authorization_scheme_invalid");

    let (code, message) = unauthorized(&app, Some("Bearer sk_test_123")).await;
    assert_eq!(code, "api_key_malformed");
    assert!(message.contains("barpel_sk_"), "{message}");

    let truncated = &account.test_key[..account.test_key.len() - 1];
    let (code, _) = unauthorized(&app, Some(&format!("Bearer {truncated}"))).await;
    assert_eq!(code, "api_key_malformed");

    // Right shape, wrong checksum: a typo.
    let mut typo = account.test_key.clone().into_bytes();
    typo[20] = if typo[20] == b'x' { b'y' } else { b'x' };
    let typo = String::from_utf8(typo).unwrap_or_default();
    let (code, message) = unauthorized(&app, Some(&format!("Bearer {typo}"))).await;
    assert_eq!(code, "api_key_malformed");
    assert!(message.contains("checksum"), "{message}");
    assert!(
        !message.contains(&typo),
        "the key must not be echoed in full"
    );

    // Well-formed, valid checksum, but never issued here.
    let stranger = barpel_gateway::keys::format::generate(false).secret;
    let (code, _) = unauthorized(&app, Some(&format!("Bearer {stranger}"))).await;
    assert_eq!(code, "api_key_unknown");

    app.stop().await;
}

#[tokio::test]
async fn revoked_keys_stop_working_within_the_cache_ttl() {
    let app = TestApp::spawn_with(crate::support::Options {
        gateway: Box::new(|c| c.key_cache_ttl = std::time::Duration::from_millis(200)),
        ..Default::default()
    })
    .await;
    let account = app.account(Plan::Starter).await;
    let (status, _, _) = send(app.get(&account.test_key, "/v1/calls")).await;
    assert_eq!(status, StatusCode::OK);

    let keys = store::list_keys(&app.gateway_db, &account.id)
        .await
        .expect("keys");
    for key in keys.iter().filter(|k| !k.livemode) {
        store::revoke_key(&app.gateway_db, &key.id)
            .await
            .expect("revoke");
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (code, message) = unauthorized(&app, Some(&format!("Bearer {}", account.test_key))).await;
    assert_eq!(code, "api_key_revoked");
    assert!(message.contains("revoked"), "{message}");
    app.stop().await;
}
