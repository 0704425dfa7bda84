//! Calls over HTTP: the documented example, the magic numbers and their
//! events, languages, cancel, listing, validation, isolation, idempotency
//! and the per-account concurrency cap.

mod conversations;
mod lifecycle;

use crate::support::{Options, TestApp};
use serde_json::{Value, json};

pub fn example() -> Value {
    json!({
        "phone_number": "+14155551234",
        "purpose": "cart_recovery",
        "context": {
            "cart_items": ["Blue Running Shoes", "White T-Shirt"],
            "cart_value": 89.99,
            "customer_name": "Sarah"
        }
    })
}

pub fn transcript_text(call: &Value) -> String {
    call["transcript"]
        .as_array()
        .map(|turns| {
            turns
                .iter()
                .map(|t| {
                    format!(
                        "{}: {}",
                        t["role"].as_str().unwrap_or_default(),
                        t["text"].as_str().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// An app whose simulated calls run slowly enough to be seen mid-way.
pub async fn slow_app(speed: f64) -> TestApp {
    TestApp::spawn_with(Options {
        calls: Box::new(move |c| c.simulation_speed = speed),
        ..Default::default()
    })
    .await
}
