//! Lossless-enough conversion between `serde_json::Value` and the protobuf
//! `Struct`/`Value` well-known types, which is how free-form JSON (call
//! `context`, `metadata`) crosses gRPC.
//!
//! JSON numbers become `f64`, as they do in every JSON parser that follows
//! RFC 8259's interoperability advice; integers up to 2^53 round-trip exactly.

use prost_types::{ListValue, Struct, Value, value::Kind};
use serde_json::{Map, Number, Value as Json};

/// A JSON object as a protobuf `Struct`.
pub fn struct_from_map(map: &Map<String, Json>) -> Struct {
    Struct {
        fields: map
            .iter()
            .map(|(k, v)| (k.clone(), value_from_json(v)))
            .collect(),
    }
}

/// A protobuf `Struct` as a JSON object (an absent struct is an empty object).
pub fn map_from_struct(s: Option<&Struct>) -> Map<String, Json> {
    s.map(|s| {
        s.fields
            .iter()
            .map(|(k, v)| (k.clone(), json_from_value(v)))
            .collect()
    })
    .unwrap_or_default()
}

/// Any JSON value as a protobuf `Value`.
pub fn value_from_json(v: &Json) -> Value {
    let kind = match v {
        Json::Null => Kind::NullValue(0),
        Json::Bool(b) => Kind::BoolValue(*b),
        Json::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(0.0)),
        Json::String(s) => Kind::StringValue(s.clone()),
        Json::Array(a) => Kind::ListValue(ListValue {
            values: a.iter().map(value_from_json).collect(),
        }),
        Json::Object(o) => Kind::StructValue(struct_from_map(o)),
    };
    Value { kind: Some(kind) }
}

/// A protobuf `Value` as JSON. Whole numbers render without a fraction
/// (`3`, not `3.0`), as the client most likely sent them.
pub fn json_from_value(v: &Value) -> Json {
    match &v.kind {
        None | Some(Kind::NullValue(_)) => Json::Null,
        Some(Kind::BoolValue(b)) => Json::Bool(*b),
        Some(Kind::NumberValue(n)) => number(*n),
        Some(Kind::StringValue(s)) => Json::String(s.clone()),
        Some(Kind::ListValue(l)) => Json::Array(l.values.iter().map(json_from_value).collect()),
        Some(Kind::StructValue(s)) => Json::Object(map_from_struct(Some(s))),
    }
}

fn number(n: f64) -> Json {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() < EXACT {
        Json::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map(Json::Number).unwrap_or(Json::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_nested_json() {
        let original = json!({
            "cart_items": ["Blue Running Shoes", "White T-Shirt"],
            "cart_value": 89.99,
            "count": 3,
            "gift": false,
            "note": null,
            "address": {"city": "Lisbon"}
        });
        let Json::Object(map) = &original else {
            unreachable!("literal is an object")
        };
        let back = Json::Object(map_from_struct(Some(&struct_from_map(map))));
        assert_eq!(back, original);
    }
}
