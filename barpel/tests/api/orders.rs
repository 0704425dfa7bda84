//! The order feed and order lookup over HTTP: upsert semantics and change
//! events, lookups by each type and by detection, normalisation, errors,
//! and isolation across accounts and modes.

use crate::support::{TestApp, error_of, send};
use barpel_gateway::keys::Plan;
use barpel_platform::testing;
use barpel_proto::events::v1::{Event, event};
use prost::Message;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Percent-encodes a query-string value.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn upsert(app: &TestApp, key: &str, body: Value) -> Value {
    let (status, _, order) = send(app.post(key, "/v1/orders", &body)).await;
    assert_eq!(status, StatusCode::OK, "{body} → {order}");
    order
}

async fn lookup(app: &TestApp, key: &str, params: &str) -> (StatusCode, Value) {
    let (status, _, body) = send(app.get(key, &format!("/v1/orders/lookup?{params}"))).await;
    (status, body)
}

fn numbers(found: &Value) -> Vec<&str> {
    found["data"]
        .as_array()
        .map(|orders| {
            orders
                .iter()
                .filter_map(|o| o["order_number"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// Every `order.updated` on the test's private stream, in publish order.
async fn order_events(app: &TestApp) -> Vec<Event> {
    let mut stream = app
        .bus
        .jetstream()
        .get_stream(&app.bus.config().stream)
        .await
        .expect("stream");
    let last = stream.info().await.expect("info").state.last_sequence;
    let subject = app.bus.config().subject("order.updated");
    let mut events = Vec::new();
    for sequence in 1..=last {
        let Ok(message) = stream.get_raw_message(sequence).await else {
            continue;
        };
        if message.subject.as_str() == subject {
            events.push(Event::decode(message.payload).expect("event"));
        }
    }
    events
}

fn jane(number: &str) -> Value {
    json!({
        "order_number": number,
        "status": "paid",
        "email": "Jane.Doe@Example.com",
        "phone": "(415) 555-1234",
        "phone_region": "US",
        "customer_name": "Jane Doe",
        "currency": "usd",
        "line_items": [{"name": "Blue Running Shoes", "sku": "SH-42", "quantity": 2, "unit_price": 4500}],
        "metadata": {"channel": "web"}
    })
}

#[tokio::test]
async fn the_feed_upserts_and_emits_only_on_status_or_tracking_changes() {
    let app = TestApp::spawn().await;
    let account = app.account(Plan::Enterprise).await;
    let key = &account.test_key;

    let created = upsert(&app, key, jane("#1001")).await;
    assert!(
        created["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("ord_")),
        "{created}"
    );
    assert_eq!(created["object"], "order");
    assert_eq!(created["livemode"], false);
    assert_eq!(created["order_number"], "1001");
    assert_eq!(created["phone"], "+14155551234");
    assert_eq!(created["email"], "Jane.Doe@Example.com");
    assert_eq!(
        (created["subtotal"].as_i64(), created["total"].as_i64()),
        (Some(9000), Some(9000))
    );
    assert_eq!(created["tracking"], Value::Null);
    assert!(
        created["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{created}"
    );

    // Re-posting the same row (in either spelling) changes nothing.
    assert_eq!(upsert(&app, key, jane("1001")).await, created);

    let shipped = json!({
        "order_number": "1001",
        "status": "shipped",
        "tracking": {"carrier": "UPS", "number": "1Z999AA10123456784",
                     "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
                     "estimated_delivery": "2026-03-18"}
    });
    let updated = upsert(&app, key, shipped.clone()).await;
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["status"], "shipped");
    assert_eq!(
        updated["email"], created["email"],
        "fields left out are kept"
    );
    assert_eq!(updated["tracking"]["estimated_delivery"], "2026-03-18");
    assert_eq!(upsert(&app, key, shipped).await, updated, "idempotent");

    // Other fields change the order but are not order.updated events.
    let renamed = upsert(
        &app,
        key,
        json!({"order_number": "1001", "customer_name": "Jane D."}),
    )
    .await;
    assert_eq!(renamed["customer_name"], "Jane D.");
    let cleared = upsert(&app, key, json!({"order_number": "1001", "phone": null})).await;
    assert_eq!(cleared["phone"], Value::Null);

    // A later change to another order: once its event is on the stream,
    // every earlier event (the relay publishes in order) is there too.
    upsert(&app, key, json!({"order_number": "B-2", "status": "paid"})).await;
    upsert(
        &app,
        key,
        json!({"order_number": "b-2", "status": "delivered"}),
    )
    .await;
    let events = testing::eventually(
        "two order.updated events",
        Duration::from_secs(15),
        || async {
            let events = order_events(&app).await;
            (events.len() >= 2).then_some(events)
        },
    )
    .await;
    let seen: Vec<(String, i32)> = events
        .iter()
        .map(|e| match &e.object {
            Some(event::Object::Order(o)) => (o.order_number.clone(), o.status),
            _ => panic!("event without an order: {e:?}"),
        })
        .collect();
    use barpel_proto::orders::v1::OrderStatus;
    assert_eq!(
        seen,
        [
            ("1001".to_owned(), OrderStatus::Shipped as i32),
            ("B-2".to_owned(), OrderStatus::Delivered as i32)
        ],
        "exactly one event per status/tracking change"
    );
    let first = &events[0];
    assert!(first.id.starts_with("evt_"));
    assert_eq!(first.r#type, "order.updated");
    assert_eq!(
        (first.account_id.as_str(), first.livemode),
        (account.id.as_str(), false)
    );
    app.stop().await;
}

#[tokio::test]
async fn lookups_by_each_type_and_by_detection() {
    let app = TestApp::spawn().await;
    let key = &app.account(Plan::Enterprise).await.test_key;
    for (number, day) in [("1001", 10), ("1002", 12), ("1003", 11)] {
        let mut body = jane(number);
        body["placed_at"] = json!(format!("2026-01-{day}T09:00:00Z"));
        upsert(&app, key, body).await;
    }
    upsert(
        &app,
        key,
        json!({"order_number": "UK-7", "status": "pending", "phone": "020 7946 0018", "phone_region": "GB"}),
    )
    .await;

    let (status, found) = lookup(&app, key, &format!("query={}", enc("#1001"))).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["object"], "list");
    assert_eq!(
        (found["type"].as_str(), found["query"].as_str()),
        (Some("order_number"), Some("1001"))
    );
    assert_eq!(numbers(&found), ["1001"]);
    assert_eq!(found["has_more"], false);

    let (_, found) = lookup(&app, key, "query=1002&type=order_number").await;
    assert_eq!(numbers(&found), ["1002"]);

    let (_, found) = lookup(&app, key, &format!("query={}", enc("JANE.DOE@EXAMPLE.COM"))).await;
    assert_eq!(found["type"], "email");
    assert_eq!(
        numbers(&found),
        ["1002", "1003", "1001"],
        "newest placed_at first"
    );
    let (_, found) = lookup(
        &app,
        key,
        &format!("query={}&limit=2", enc("jane.doe@example.com")),
    )
    .await;
    assert_eq!(
        (numbers(&found).len(), &found["has_more"]),
        (2, &json!(true))
    );

    for (query, region) in [
        ("(415) 555-1234", ""),
        ("+1 415-555-1234", ""),
        ("415.555.1234", "&phone_region=us"),
    ] {
        let (status, found) = lookup(&app, key, &format!("query={}{region}", enc(query))).await;
        assert_eq!(status, StatusCode::OK, "{query}: {found}");
        assert_eq!(
            (found["type"].as_str(), found["query"].as_str()),
            (Some("phone"), Some("+14155551234"))
        );
        assert_eq!(numbers(&found).len(), 3, "{query}");
    }
    let (_, found) = lookup(
        &app,
        key,
        &format!("query={}&type=phone", enc("+14155551234")),
    )
    .await;
    assert_eq!(numbers(&found), ["1002", "1003", "1001"]);

    let uk = format!("query={}&type=phone&phone_region=GB", enc("020 7946 0018"));
    let (_, found) = lookup(&app, key, &uk).await;
    assert_eq!(
        (numbers(&found), found["query"].as_str()),
        (vec!["UK-7"], Some("+442079460018"))
    );

    let (status, alias) = lookup(&app, key, "query=1001").await;
    let (_, _, v1) = send(app.get(key, "/api/orders/lookup?query=1001")).await;
    assert_eq!((status, alias), (StatusCode::OK, v1));
    app.stop().await;
}

#[tokio::test]
async fn misses_and_bad_input_have_the_documented_shape() {
    let app = TestApp::spawn().await;
    let key = &app.account(Plan::Enterprise).await.test_key;

    let (status, body) = lookup(&app, key, &format!("query={}", enc("nobody@example.com"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (kind, code, param) = error_of(&body);
    assert_eq!(
        (kind.as_str(), code.as_str(), param.as_deref()),
        ("not_found_error", "resource_missing", Some("query"))
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("email 'nobody@example.com'"), "{message}");

    for (params, param) in [
        ("type=email", "query"),
        ("query=1&type=fax", "type"),
        ("query=1&limit=0", "limit"),
        ("query=1&limit=101", "limit"),
        ("query=abc&type=phone", "query"),
        ("query=1&phone_region=XX", "phone_region"),
        ("query=1&colour=red", "colour"),
    ] {
        let (status, body) = lookup(&app, key, params).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{params}: {body}");
        assert_eq!(
            error_of(&body).2.as_deref(),
            Some(param),
            "{params}: {body}"
        );
    }

    let bad_bodies = [
        (
            json!({"status": "paid"}),
            "order_number",
            "parameter_missing",
        ),
        (
            json!({"order_number": "1", "status": "paid", "colour": "red"}),
            "colour",
            "parameter_unknown",
        ),
        (json!({"order_number": "1"}), "status", "parameter_missing"),
        (
            json!({"order_number": "1", "status": "lost"}),
            "status",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "1", "status": "paid", "email": "jane"}),
            "email",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "1", "status": "paid", "phone": "12"}),
            "phone",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "1", "status": "paid", "total": 49.99, "currency": "usd"}),
            "total",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "1", "status": "paid", "total": 4999}),
            "currency",
            "parameter_missing",
        ),
        (
            json!({"order_number": "1", "status": "paid", "currency": "dollars"}),
            "currency",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "1", "status": "paid", "tracking": {"carier": "UPS"}}),
            "tracking.carier",
            "parameter_unknown",
        ),
        (
            json!({"order_number": "1", "status": "paid", "tracking": {"estimated_delivery": "soon"}}),
            "tracking.estimated_delivery",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "1", "status": "paid", "currency": "usd", "line_items": [{"name": "x", "quantity": 0, "unit_price": 1}]}),
            "line_items[0].quantity",
            "parameter_invalid",
        ),
        (
            json!({"order_number": "#", "status": "paid"}),
            "order_number",
            "parameter_missing",
        ),
    ];
    for (body, param, code) in bad_bodies {
        let (status, _, error) = send(app.post(key, "/v1/orders", &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {error}");
        let (kind, got_code, got_param) = error_of(&error);
        assert_eq!(kind, "invalid_request_error");
        assert_eq!(
            (got_param.as_deref(), got_code.as_str()),
            (Some(param), code),
            "{body}: {error}"
        );
    }

    let (status, _, body) = send(app.get(key, "/v1/orders/ord_doesnotexist")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&body).1, "resource_missing");
    app.stop().await;
}

#[tokio::test]
async fn orders_are_isolated_across_accounts_and_modes() {
    let app = TestApp::spawn().await;
    let owner = app.account(Plan::Enterprise).await;
    let stranger = app.account(Plan::Enterprise).await;
    let test = upsert(&app, &owner.test_key, jane("1001")).await;
    let mut live_row = jane("1001");
    live_row["status"] = json!("delivered");
    let live = upsert(&app, &owner.live_key, live_row).await;
    assert_ne!(
        test["id"], live["id"],
        "the same number is another order in live mode"
    );
    assert_eq!(live["livemode"], true);

    let get = |key: &str, id: &Value| {
        app.get(
            key,
            &format!("/v1/orders/{}", id.as_str().unwrap_or_default()),
        )
    };
    for (key, id) in [
        (&owner.test_key, &live["id"]),
        (&owner.live_key, &test["id"]),
        (&stranger.test_key, &test["id"]),
        (&stranger.live_key, &live["id"]),
    ] {
        let (status, _, body) = send(get(key, id)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(error_of(&body).0, "not_found_error");
    }
    let (status, _, own) = send(get(&owner.test_key, &test["id"])).await;
    assert_eq!((status, &own), (StatusCode::OK, &test));

    let email = format!("query={}", enc("jane.doe@example.com"));
    let (status, _) = lookup(&app, &stranger.test_key, &email).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, found) = lookup(&app, &owner.live_key, &email).await;
    let ids: Vec<&Value> = found["data"]
        .as_array()
        .map(|d| d.iter().map(|o| &o["id"]).collect())
        .unwrap_or_default();
    assert_eq!(ids, [&live["id"]], "a live key sees only live orders");
    app.stop().await;
}
