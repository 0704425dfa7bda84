//! Controlling calls: cancel, the concurrency cap, listing, validation,
//! isolation and idempotency.

use super::{example, slow_app};
use crate::support::{TestApp, error_of, send};
use barpel_gateway::keys::{Plan, store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn cancel_works_while_live_and_is_refused_once_ended() {
    let app = slow_app(20.0).await;
    let account = app.account(Plan::Starter).await;
    let key = account.test_key.clone();
    store::set_max_concurrent_calls(&app.gateway_db, &account.id, 2)
        .await
        .expect("cap");
    let cancel = |id: &str| app.post(&key, &format!("/v1/calls/{id}/cancel"), &json!({}));

    // Rings for 30 simulated seconds (1.5 s here), then a third call waits queued.
    let mut ringing = example();
    ringing["phone_number"] = json!("+15005550001");
    let (_, _, a) = send(app.post(&key, "/v1/calls", &ringing)).await;
    let (_, _, b) = send(app.post(&key, "/v1/calls", &example())).await;
    let (_, _, c) = send(app.post(&key, "/v1/calls", &example())).await;
    let (a, b, c) = (
        a["id"].as_str().unwrap_or_default(),
        b["id"].as_str().unwrap_or_default(),
        c["id"].as_str().unwrap_or_default(),
    );

    app.wait_for_call(&key, a, |call| call["status"] == "ringing")
        .await;
    let in_progress = app
        .wait_for_call(&key, b, |call| call["status"] == "in_progress")
        .await;
    assert_eq!(in_progress["status"], "in_progress");
    let (_, _, queued) = send(app.get(&key, &format!("/v1/calls/{c}"))).await;
    assert_eq!(
        queued["status"], "queued",
        "the cap of 2 holds the third call back"
    );

    for (id, from, events) in [(c, "queued", 1), (a, "ringing", 1), (b, "in_progress", 2)] {
        let (status, _, call) = send(cancel(id)).await;
        assert_eq!(status, StatusCode::OK, "{from}: {call}");
        assert_eq!(call["status"], "canceled", "{from}");
        assert_eq!(call["ended_reason"], "canceled");
        assert!(call["ended_at"].is_string());
        let events = app.call_events(id, events).await;
        assert_eq!(
            events.last().map(|(t, _)| t.as_str()),
            Some("call.failed"),
            "{from}"
        );
    }
    // A canceled call stays canceled: its runner stops writing.
    let turns = |call: &Value| call["transcript"].as_array().map_or(0, Vec::len);
    let (_, _, before) = send(app.get(&key, &format!("/v1/calls/{b}"))).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, _, after) = send(app.get(&key, &format!("/v1/calls/{b}"))).await;
    assert_eq!(
        (after["status"].as_str(), turns(&after)),
        (Some("canceled"), turns(&before))
    );

    let (status, _, body) = send(cancel(b)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_of(&body).1, "call_already_ended");
    let (status, _, body) = send(cancel("call_0000000000000000000000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn the_concurrency_cap_queues_the_excess() {
    let app = slow_app(60.0).await;
    let account = app.account(Plan::Starter).await;
    store::set_max_concurrent_calls(&app.gateway_db, &account.id, 2)
        .await
        .expect("cap");
    let mut ids = Vec::new();
    for _ in 0..5 {
        let (status, _, call) = send(app.post(&account.test_key, "/v1/calls", &example())).await;
        assert_eq!(status, StatusCode::OK, "refused instead of queued: {call}");
        ids.push(call["id"].as_str().unwrap_or_default().to_owned());
    }
    let (mut max_active, mut saw_queued) = (0, false);
    loop {
        let (_, _, list) = send(app.get(&account.test_key, "/v1/calls?limit=10")).await;
        let statuses: Vec<&str> = list["data"]
            .as_array()
            .map(|d| d.iter().filter_map(|c| c["status"].as_str()).collect())
            .unwrap_or_default();
        let active = statuses
            .iter()
            .filter(|s| matches!(**s, "ringing" | "in_progress"))
            .count();
        max_active = max_active.max(active);
        saw_queued |= active == 2 && statuses.contains(&"queued");
        if statuses.iter().all(|s| *s == "completed") && statuses.len() == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(max_active <= 2, "at most 2 at once, saw {max_active}");
    assert!(saw_queued, "the excess waited queued");
    app.stop().await;
}

#[tokio::test]
async fn lists_filter_and_page() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Growth).await.test_key;
    let mut created = Vec::new();
    for i in 0..7 {
        let body = if i % 2 == 0 {
            example()
        } else {
            json!({"phone_number": "+15005550002", "purpose": "notification", "context": {"message": "Your order is ready."}})
        };
        let (_, _, call) = send(app.post(&key, "/v1/calls", &body)).await;
        created.push(call["id"].as_str().unwrap_or_default().to_owned());
    }
    for id in &created {
        app.wait_until_ended(&key, id).await;
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/calls?limit=3&starting_after={c}"),
            None => "/v1/calls?limit=3".to_owned(),
        };
        let (status, _, page) = send(app.get(&key, &path)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["object"], "list");
        let ids: Vec<String> = page["data"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        seen.extend(ids.clone());
        if page["has_more"] != true {
            break;
        }
        cursor = ids.last().cloned();
    }
    assert_eq!(seen, newest_first);

    let (_, _, back) = send(app.get(
        &key,
        &format!("/v1/calls?limit=3&ending_before={}", newest_first[6]),
    ))
    .await;
    let back: Vec<&str> = back["data"]
        .as_array()
        .map(|d| d.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        back,
        newest_first[3..6]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );

    let count = |query: &str| {
        let app = &app;
        let key = &key;
        let query = query.to_owned();
        async move {
            let (status, _, page) =
                send(app.get(key, &format!("/v1/calls?limit=100&{query}"))).await;
            assert_eq!(status, StatusCode::OK, "{query}: {page}");
            page["data"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(count("purpose=notification").await, 3);
    assert_eq!(count("purpose=cart_recovery&status=completed").await, 4);
    assert_eq!(count("status=busy").await, 3);
    assert_eq!(count("phone_number=%2B15005550002").await, 3);
    assert_eq!(count("created[gte]=2099-01-01").await, 0);
    assert_eq!(
        count("created[lte]=2099-01-01T00:00:00Z&created[gte]=2000-01-01").await,
        7
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_inputs_are_documented_400s() {
    let app = TestApp::spawn().await;
    let account = app.account(Plan::Starter).await;
    let key = account.test_key.clone();
    let cases = [
        (
            json!({"phone_number": "555", "purpose": "cart_recovery", "context": {"cart_items": ["A"]}}),
            "phone_number",
            "phone_number_invalid",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "cart_recovery"}),
            "context.cart_items",
            "parameter_missing",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "cart_recovery", "context": {"cart_items": "A"}}),
            "context.cart_items",
            "parameter_invalid",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "cart_recovery", "context": {"cart_items": ["A"], "cart_value": "ten"}}),
            "context.cart_value",
            "parameter_invalid",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "notification", "context": {}}),
            "context.message",
            "parameter_missing",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "order_status", "context": {"customer_name": "Al"}}),
            "context.order_number",
            "parameter_missing",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "notification", "context": {"message": "hi"}, "language": "ja-JP"}),
            "language",
            "language_unsupported",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "notification", "context": {"message": "hi", "notes": "x".repeat(17_000)}}),
            "context",
            "context_too_large",
        ),
        (
            json!({"phone_number": "+14155551234", "purpose": "notification", "context": {"message": "hi"}, "metadata": {"deep": {"a": 1}}}),
            "metadata.deep",
            "parameter_invalid",
        ),
    ];
    for (body, param, code) in cases {
        let (status, _, error) = send(app.post(&key, "/v1/calls", &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{param}: {error}");
        let (kind, got_code, got_param) = error_of(&error);
        assert_eq!(
            (kind.as_str(), got_code.as_str(), got_param.as_deref()),
            ("invalid_request_error", code, Some(param)),
            "{error}"
        );
    }
    let (_, _, error) = send(app.post(&key, "/v1/calls", &json!({"phone_number": "+14155551234", "purpose": "notification", "context": {"message": "hi"}, "language": "ja-JP"}))).await;
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("es-MX"),
        "lists the supported languages: {error}"
    );

    let (status, _, error) = send(app.post(&account.live_key, "/v1/calls", &example())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error_of(&error).1, "telephony_not_configured");
    app.stop().await;
}

#[tokio::test]
async fn accounts_and_modes_never_see_each_other() {
    let app = TestApp::spawn().await;
    let alice = app.account(Plan::Starter).await;
    let bob = app.account(Plan::Starter).await;
    let (_, _, call) = send(app.post(&alice.test_key, "/v1/calls", &example())).await;
    let path = format!("/v1/calls/{}", call["id"].as_str().unwrap_or_default());

    let (status, _, _) = send(app.get(&alice.test_key, &path)).await;
    assert_eq!(status, StatusCode::OK);
    for key in [&bob.test_key, &alice.live_key] {
        let (status, _, body) = send(app.get(key, &path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(error_of(&body).0, "not_found_error");
        let (status, _, _) = send(app.post(key, &format!("{path}/cancel"), &json!({}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, _, list) = send(app.get(key, "/v1/calls")).await;
        assert_eq!(list["data"], json!([]));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_retried_create_rings_once() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let post = |body: &Value, idem: &str| {
        app.post(&key, "/v1/calls", body)
            .header("Idempotency-Key", idem)
    };

    let (status, headers, first) = send(post(&example(), "retry-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key("idempotent-replayed"));
    let (status, headers, second) = send(post(&example(), "retry-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(first, second);

    let mut other = example();
    other["phone_number"] = json!("+14155550000");
    let (status, _, error) = send(post(&other, "retry-1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(
        error_of(&error),
        (
            "idempotency_error".into(),
            "idempotency_key_reused".into(),
            Some("Idempotency-Key".into())
        )
    );

    // Concurrent duplicates: one runs, the others are told it is running
    // (or, if it already finished, get its replay) — never a second call.
    let racers = (0..6).map(|_| send(post(&example(), "race-1")));
    let results = futures::future::join_all(racers).await;
    let mut ids = std::collections::HashSet::new();
    for (status, _, body) in &results {
        match *status {
            StatusCode::OK => {
                ids.insert(body["id"].as_str().unwrap_or_default().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(error_of(body).1, "idempotency_key_in_use"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "{results:?}");

    // Even if the gateway's record is lost, call-service dedupes the key.
    let mut redis = redis::Client::open(app.gateway_config.redis_url.as_str())
        .expect("redis")
        .get_multiplexed_async_connection()
        .await
        .expect("redis connection");
    let pattern = format!("{}idem:*", app.gateway_config.redis_prefix);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(&pattern)
        .query_async(&mut redis)
        .await
        .expect("keys");
    let _: () = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut redis)
        .await
        .expect("del");
    let (status, headers, third) = send(post(&example(), "retry-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key("idempotent-replayed"));
    assert_eq!(third["id"], first["id"]);

    let (_, _, list) = send(app.get(&key, "/v1/calls?limit=100")).await;
    assert_eq!(
        list["data"].as_array().map_or(0, Vec::len),
        2,
        "one call per key"
    );
    app.stop().await;
}
