//! What `POST /v1/calls` accepts: the number, the purpose's context, the
//! language and metadata, each refused with a message naming the field.

use crate::{call::Purpose, language};
use barpel_platform::{ServiceError, phone};
use serde_json::{Map, Value};

/// `context` is capped at 16 KiB of JSON.
pub const MAX_CONTEXT_BYTES: usize = 16 * 1024;
const MAX_METADATA_KEYS: usize = 50;
const MAX_METADATA_KEY_LEN: usize = 40;
const MAX_METADATA_VALUE_LEN: usize = 500;
const MAX_TEXT_LEN: usize = 2_000;

/// A create request as the service received it.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub phone_number: String,
    pub purpose: Option<Purpose>,
    pub context: Map<String, Value>,
    pub language: String,
    pub metadata: Map<String, Value>,
}

/// A create request that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidCall {
    /// E.164.
    pub phone_number: String,
    pub purpose: Purpose,
    pub context: Map<String, Value>,
    /// Normalised BCP 47.
    pub language: String,
    /// The context's top-level scalars, then the caller's metadata.
    pub metadata: Map<String, Value>,
}

pub fn validate(new: NewCall) -> Result<ValidCall, ServiceError> {
    let phone_number = phone::normalize(&new.phone_number, Some("US")).map_err(|e| {
        ServiceError::invalid(
            "phone_number",
            "phone_number_invalid",
            format!(
                "phone_number {:?} {e}. Use E.164, e.g. +14155551234.",
                new.phone_number
            ),
        )
    })?;
    let purpose = new.purpose.ok_or_else(|| {
        ServiceError::invalid(
            "purpose",
            "parameter_missing",
            "Missing required parameter: purpose (cart_recovery, follow_up, notification or order_status).",
        )
    })?;
    check_context(purpose, &new.context)?;
    let language = if new.language.trim().is_empty() {
        "en-US".to_owned()
    } else {
        language::normalize(&new.language)
            .map_err(|e| ServiceError::invalid("language", "language_unsupported", e))?
    };
    check_metadata(&new.metadata)?;
    let mut metadata: Map<String, Value> = new
        .context
        .iter()
        .filter(|(_, v)| !v.is_object() && !v.is_array())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    metadata.extend(new.metadata);
    Ok(ValidCall {
        phone_number,
        purpose,
        context: new.context,
        language,
        metadata,
    })
}

fn check_context(purpose: Purpose, context: &Map<String, Value>) -> Result<(), ServiceError> {
    let size = serde_json::to_vec(context).map(|v| v.len()).unwrap_or(0);
    if size > MAX_CONTEXT_BYTES {
        return Err(ServiceError::invalid(
            "context",
            "context_too_large",
            format!("context is {size} bytes of JSON; the limit is {MAX_CONTEXT_BYTES} (16 KiB)."),
        ));
    }
    optional_text(context, "customer_name", 100)?;
    optional_text(context, "merchant_name", 100)?;
    match purpose {
        Purpose::CartRecovery => {
            cart_items(context)?;
            if let Some(v) = context.get("cart_value") {
                let ok = v.as_f64().is_some_and(|n| n.is_finite() && n >= 0.0);
                if !ok {
                    return Err(invalid_field(
                        "cart_value",
                        "a non-negative number, e.g. 89.99",
                        v,
                    ));
                }
            }
            currency(context)?;
            optional_text(context, "checkout_url", 2_000)?;
        }
        Purpose::OrderStatus => {
            one_of(context, purpose, &["order_number", "email"])?;
            optional_text(context, "email", 254)?;
        }
        Purpose::FollowUp => {
            one_of(context, purpose, &["order_number", "topic"])?;
            optional_text(context, "topic", 500)?;
        }
        Purpose::Notification => {
            required_text(
                context,
                "message",
                MAX_TEXT_LEN,
                "the message the agent reads to the customer",
            )?;
        }
    }
    if let Some(v) = context.get("order_number") {
        let ok = v.as_str().is_some_and(|s| !s.trim().is_empty()) || v.is_u64();
        if !ok {
            return Err(invalid_field(
                "order_number",
                "a string such as \"#1001\"",
                v,
            ));
        }
    }
    Ok(())
}

fn cart_items(context: &Map<String, Value>) -> Result<(), ServiceError> {
    let Some(items) = context.get("cart_items") else {
        return Err(ServiceError::invalid(
            "context.cart_items",
            "parameter_missing",
            "cart_recovery calls need context.cart_items: the names of the items left in the cart, e.g. [\"Blue Running Shoes\"].",
        ));
    };
    let Some(items) = items.as_array().filter(|a| !a.is_empty()) else {
        return Err(invalid_field(
            "cart_items",
            "a non-empty array of strings",
            items,
        ));
    };
    for (i, item) in items.iter().enumerate() {
        if !item
            .as_str()
            .is_some_and(|s| !s.trim().is_empty() && s.len() <= 200)
        {
            return Err(ServiceError::invalid(
                format!("context.cart_items[{i}]"),
                "parameter_invalid",
                format!(
                    "context.cart_items[{i}] must be a non-empty string of at most 200 characters; got {item}."
                ),
            ));
        }
    }
    Ok(())
}

fn currency(context: &Map<String, Value>) -> Result<(), ServiceError> {
    match context.get("currency") {
        None => Ok(()),
        Some(Value::String(c)) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Ok(())
        }
        Some(v) => Err(invalid_field(
            "currency",
            "a three-letter ISO 4217 code such as \"usd\"",
            v,
        )),
    }
}

fn one_of(
    context: &Map<String, Value>,
    purpose: Purpose,
    keys: &[&str],
) -> Result<(), ServiceError> {
    if keys
        .iter()
        .any(|k| context.get(*k).is_some_and(|v| !v.is_null()))
    {
        return Ok(());
    }
    Err(ServiceError::invalid(
        format!("context.{}", keys[0]),
        "parameter_missing",
        format!(
            "{purpose} calls need context.{} or context.{}.",
            keys[0], keys[1]
        ),
    ))
}

fn required_text(
    context: &Map<String, Value>,
    key: &str,
    max: usize,
    what: &str,
) -> Result<(), ServiceError> {
    if context.get(key).is_none() {
        return Err(ServiceError::invalid(
            format!("context.{key}"),
            "parameter_missing",
            format!("Missing context.{key}: {what}."),
        ));
    }
    optional_text(context, key, max)
}

fn optional_text(context: &Map<String, Value>, key: &str, max: usize) -> Result<(), ServiceError> {
    match context.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => Ok(()),
        Some(v) => Err(invalid_field(
            key,
            &format!("a non-empty string of at most {max} characters"),
            v,
        )),
    }
}

fn invalid_field(key: &str, expected: &str, got: &Value) -> ServiceError {
    let mut shown = got.to_string();
    if shown.len() > 80 {
        shown = format!("{}…", shown.chars().take(80).collect::<String>());
    }
    ServiceError::invalid(
        format!("context.{key}"),
        "parameter_invalid",
        format!("context.{key} must be {expected}; got {shown}."),
    )
}

fn check_metadata(metadata: &Map<String, Value>) -> Result<(), ServiceError> {
    if metadata.len() > MAX_METADATA_KEYS {
        return Err(ServiceError::invalid(
            "metadata",
            "metadata_too_large",
            format!(
                "metadata may have at most {MAX_METADATA_KEYS} keys; got {}.",
                metadata.len()
            ),
        ));
    }
    for (key, value) in metadata {
        let param = format!("metadata.{key}");
        if key.is_empty() || key.chars().count() > MAX_METADATA_KEY_LEN {
            return Err(ServiceError::invalid(
                param,
                "parameter_invalid",
                format!("metadata keys must be 1 to {MAX_METADATA_KEY_LEN} characters."),
            ));
        }
        let ok = match value {
            Value::String(s) => s.chars().count() <= MAX_METADATA_VALUE_LEN,
            Value::Number(_) | Value::Bool(_) | Value::Null => true,
            Value::Array(_) | Value::Object(_) => false,
        };
        if !ok {
            return Err(ServiceError::invalid(
                param.clone(),
                "parameter_invalid",
                format!(
                    "{param} must be a string (at most {MAX_METADATA_VALUE_LEN} characters), number or boolean."
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new(purpose: Purpose, context: Value) -> NewCall {
        NewCall {
            phone_number: "+14155551234".into(),
            purpose: Some(purpose),
            context: context.as_object().cloned().unwrap_or_default(),
            language: String::new(),
            metadata: Map::new(),
        }
    }

    fn param(result: Result<ValidCall, ServiceError>) -> Option<String> {
        result.err().and_then(|e| e.param)
    }

    #[test]
    fn the_documented_example_is_valid_and_echoes_metadata() {
        let call = validate(new(
            Purpose::CartRecovery,
            json!({"cart_items": ["Blue Running Shoes", "White T-Shirt"], "cart_value": 89.99, "customer_name": "Sarah"}),
        ))
        .expect("valid");
        assert_eq!(call.language, "en-US");
        assert_eq!(
            Value::Object(call.metadata),
            json!({"cart_value": 89.99, "customer_name": "Sarah"})
        );
    }

    #[test]
    fn purpose_rules_name_the_field() {
        assert_eq!(
            param(validate(new(Purpose::CartRecovery, json!({})))).as_deref(),
            Some("context.cart_items")
        );
        assert_eq!(
            param(validate(new(
                Purpose::CartRecovery,
                json!({"cart_items": []})
            )))
            .as_deref(),
            Some("context.cart_items")
        );
        assert_eq!(
            param(validate(new(
                Purpose::CartRecovery,
                json!({"cart_items": ["a", 3]})
            )))
            .as_deref(),
            Some("context.cart_items[1]")
        );
        assert_eq!(
            param(validate(new(
                Purpose::CartRecovery,
                json!({"cart_items": ["a"], "cart_value": -1})
            )))
            .as_deref(),
            Some("context.cart_value")
        );
        assert_eq!(
            param(validate(new(Purpose::Notification, json!({})))).as_deref(),
            Some("context.message")
        );
        assert_eq!(
            param(validate(new(
                Purpose::OrderStatus,
                json!({"customer_name": "A"})
            )))
            .as_deref(),
            Some("context.order_number")
        );
        assert!(validate(new(Purpose::OrderStatus, json!({"email": "a@b.co"}))).is_ok());
        assert!(validate(new(Purpose::FollowUp, json!({"topic": "your delivery"}))).is_ok());
    }

    #[test]
    fn numbers_languages_and_sizes_are_checked() {
        let mut bad = new(Purpose::Notification, json!({"message": "hi"}));
        bad.phone_number = "12345".into();
        assert_eq!(param(validate(bad)).as_deref(), Some("phone_number"));
        let mut national = new(Purpose::Notification, json!({"message": "hi"}));
        national.phone_number = "(415) 555-1234".into();
        assert_eq!(
            validate(national).map(|c| c.phone_number).ok().as_deref(),
            Some("+14155551234")
        );
        let mut lang = new(Purpose::Notification, json!({"message": "hi"}));
        lang.language = "klingon".into();
        assert_eq!(param(validate(lang)).as_deref(), Some("language"));
        let big = new(
            Purpose::Notification,
            json!({"message": "hi", "blob": "x".repeat(17_000)}),
        );
        assert_eq!(param(validate(big)).as_deref(), Some("context"));
        let mut meta = new(Purpose::Notification, json!({"message": "hi"}));
        meta.metadata.insert("nested".into(), json!({"a": 1}));
        assert_eq!(param(validate(meta)).as_deref(), Some("metadata.nested"));
    }
}
