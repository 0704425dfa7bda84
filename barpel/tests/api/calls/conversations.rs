//! What happens on the line: the documented example, the magic numbers
//! and their events, languages, live transcripts, order status.

use super::{example, slow_app, transcript_text};
use crate::support::{TestApp, send};
use barpel_gateway::keys::Plan;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_documented_example_completes_with_a_believable_conversation() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let (status, _, call) = send(app.post(&key, "/v1/calls", &example())).await;
    assert_eq!(status, StatusCode::OK, "{call}");
    for field in [
        "id",
        "status",
        "phone_number",
        "purpose",
        "started_at",
        "duration",
        "transcript",
        "resolution",
        "metadata",
    ] {
        assert!(call.get(field).is_some(), "missing {field}: {call}");
    }
    assert!(
        call["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("call_"))
    );
    assert_eq!(call["phone_number"], "+14155551234");
    assert_eq!(call["purpose"], "cart_recovery");
    assert_eq!(
        call["metadata"],
        json!({"cart_value": 89.99, "customer_name": "Sarah"})
    );
    assert_eq!(call["livemode"], false);
    assert_eq!(call["language"], "en-US");

    let id = call["id"].as_str().unwrap_or_default();
    let done = app.wait_until_ended(&key, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["resolution"], "resolved");
    assert_eq!(done["ended_reason"], "completed");
    let csat = done["csat"].as_u64().unwrap_or(0);
    assert!((1..=5).contains(&csat), "{done}");
    assert!(
        done["duration"].as_u64().unwrap_or(0) > 10,
        "a realistic duration: {done}"
    );
    assert_eq!(done["cost"], json!({"amount": 0, "currency": "usd"}));
    let text = transcript_text(&done);
    assert!(
        text.starts_with("customer: Hello?\nagent: Hi Sarah, this is Ava"),
        "{text}"
    );
    assert!(
        text.contains("Blue Running Shoes and White T-Shirt"),
        "{text}"
    );
    assert!(text.contains("$89.99"), "{text}");
    assert!(text.contains("on a scale from 1 to 5"), "{text}");
    let offsets: Vec<f64> = done["transcript"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|turn| turn["offset_seconds"].as_f64())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        offsets.windows(2).all(|w| w[0] < w[1]),
        "offsets grow: {offsets:?}"
    );
    assert!(
        done["summary"]
            .as_str()
            .is_some_and(|s| s.contains("Sarah")),
        "{done}"
    );

    let events = app.call_events(id, 2).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["call.started", "call.completed"]);
    app.stop().await;
}

#[tokio::test]
async fn magic_numbers_give_their_outcomes_and_events() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Growth).await.test_key;
    let cases = [
        (
            "+15005550001",
            "no_answer",
            "unreachable",
            vec!["call.failed"],
        ),
        ("+15005550002", "busy", "unreachable", vec!["call.failed"]),
        (
            "+15005550003",
            "voicemail",
            "voicemail_left",
            vec!["call.completed"],
        ),
        (
            "+15005550004",
            "completed",
            "escalated",
            vec!["call.started", "escalation.created", "call.completed"],
        ),
        (
            "+15005550005",
            "completed",
            "unresolved",
            vec!["call.started", "call.completed"],
        ),
        ("+15005550006", "failed", "unreachable", vec!["call.failed"]),
        (
            "+442079460018",
            "completed",
            "resolved",
            vec!["call.started", "call.completed"],
        ),
    ];
    let mut ids = Vec::new();
    for (number, ..) in &cases {
        let mut body = example();
        body["phone_number"] = json!(number);
        let (status, _, call) = send(app.post(&key, "/v1/calls", &body)).await;
        assert_eq!(status, StatusCode::OK, "{call}");
        ids.push(call["id"].as_str().unwrap_or_default().to_owned());
    }
    for ((number, status, resolution, events), id) in cases.iter().zip(&ids) {
        let call = app.wait_until_ended(&key, id).await;
        assert_eq!(call["status"], *status, "{number}: {call}");
        assert_eq!(call["resolution"], *resolution, "{number}: {call}");
        let got = app.call_events(id, events.len()).await;
        let types: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(&types, events, "{number}");
        match *number {
            "+15005550003" => {
                let text = transcript_text(&call);
                assert!(
                    text.contains("Blue Running Shoes"),
                    "the voicemail names the cart: {text}"
                );
                assert!(!text.contains("customer:"), "{text}");
            }
            "+15005550004" => {
                assert_eq!(call["escalated"], true);
                assert!(transcript_text(&call).contains("real person"));
            }
            "+15005550001" | "+15005550002" | "+15005550006" => {
                assert_eq!(call["transcript"], Value::Null, "{call}");
                assert_eq!(call["started_at"], Value::Null, "{call}");
            }
            _ => {}
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn calls_speak_the_requested_language() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let mut body = example();
    body["language"] = json!("es-ES");
    let (_, _, call) = send(app.post(&key, "/v1/calls", &body)).await;
    assert_eq!(call["language"], "es-ES");
    let done = app
        .wait_until_ended(&key, call["id"].as_str().unwrap_or_default())
        .await;
    let text = transcript_text(&done);
    assert_eq!(done["resolution"], "resolved", "{text}");
    assert!(text.contains("Hola, Sarah"), "{text}");
    assert!(
        text.contains("Blue Running Shoes y White T-Shirt"),
        "{text}"
    );
    assert!(text.contains("89,99"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn transcripts_grow_while_the_call_runs() {
    let app = slow_app(8.0).await;
    let key = app.account(Plan::Starter).await.test_key;
    let (_, _, call) = send(app.post(&key, "/v1/calls", &example())).await;
    let id = call["id"].as_str().unwrap_or_default();
    let live = app
        .wait_for_call(&key, id, |c| {
            c["status"] == "in_progress"
                && c["transcript"].as_array().is_some_and(|t| !t.is_empty())
        })
        .await;
    assert_eq!(live["resolution"], Value::Null);
    assert_eq!(live["duration"], Value::Null);
    assert!(live["started_at"].is_string());
    let (status, _, canceled) =
        send(app.post(&key, &format!("/v1/calls/{id}/cancel"), &json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    app.stop().await;
}

#[tokio::test]
async fn order_status_calls_read_the_real_order_or_say_none_was_found() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let order = json!({
        "order_number": "#1001",
        "status": "shipped",
        "email": "jane@example.com",
        "tracking": {"carrier": "UPS", "number": "1Z999AA10123456784", "estimated_delivery": "2026-03-18"}
    });
    let (status, _, body) = send(app.post(&key, "/v1/orders", &order)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let call = |context: Value| json!({"phone_number": "+14155551234", "purpose": "order_status", "context": context});
    let (_, _, found) = send(app.post(
        &key,
        "/v1/calls",
        &call(json!({"order_number": "1001", "customer_name": "Jane"})),
    ))
    .await;
    let (_, _, by_email) = send(app.post(
        &key,
        "/v1/calls",
        &call(json!({"email": "JANE@example.com"})),
    ))
    .await;
    let (_, _, missing) =
        send(app.post(&key, "/v1/calls", &call(json!({"order_number": "#4242"})))).await;

    for call in [&found, &by_email] {
        let done = app
            .wait_until_ended(&key, call["id"].as_str().unwrap_or_default())
            .await;
        let text = transcript_text(&done);
        assert_eq!(done["resolution"], "resolved", "{text}");
        assert!(text.contains("order 1001"), "{text}");
        assert!(text.contains("shipped"), "{text}");
        assert!(
            text.contains("UPS, tracking number 1Z999AA10123456784, expected on 2026-03-18"),
            "{text}"
        );
    }
    let done = app
        .wait_until_ended(&key, missing["id"].as_str().unwrap_or_default())
        .await;
    let text = transcript_text(&done);
    assert_eq!(done["resolution"], "unresolved", "{text}");
    assert!(
        text.contains("I looked for your order #4242, but I couldn't find it"),
        "{text}"
    );

    app.stop().await;
}
