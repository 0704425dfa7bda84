//! What the agent knows when it calls: read from the call's context, plus
//! the order found for an order-status call.

use serde_json::{Map, Value};

/// Inputs of the conversation, already validated at creation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub customer_name: Option<String>,
    pub merchant_name: Option<String>,
    pub cart_items: Vec<String>,
    pub cart_value: Option<f64>,
    pub currency: String,
    pub checkout_url: Option<String>,
    pub order_number: Option<String>,
    pub email: Option<String>,
    pub topic: Option<String>,
    pub message: Option<String>,
    /// For order-status calls: what the order feed said.
    pub order: Option<OrderLookup>,
}

/// The result of looking the customer's order up.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderLookup {
    Found(OrderFacts),
    /// Nothing matched `query` (what the agent tells the customer it looked for).
    NotFound {
        query: String,
    },
}

/// What the agent reads out about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    pub number: String,
    /// Index into the pack's `order_statuses`.
    pub status: usize,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub estimated_delivery: Option<String>,
}

impl Facts {
    pub fn from_context(context: &Map<String, Value>) -> Self {
        let text = |key: &str| match context.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Self {
            customer_name: text("customer_name"),
            merchant_name: text("merchant_name"),
            cart_items: context
                .get("cart_items")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            cart_value: context.get("cart_value").and_then(Value::as_f64),
            currency: text("currency").unwrap_or_else(|| "usd".into()),
            checkout_url: text("checkout_url"),
            order_number: text("order_number").map(|n| n.trim_start_matches('#').to_owned()),
            email: text("email"),
            topic: text("topic"),
            message: text("message"),
            order: None,
        }
    }
}
