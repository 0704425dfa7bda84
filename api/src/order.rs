//! The order object, the feed row that upserts one, and the result of an
//! order lookup.
//!
//! Amounts are integers in the currency's minor unit (`4999` is $49.99 in
//! `usd`), as in the rest of the API; they are null when the order carries
//! no currency.

use crate::{list::ListObject, time};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Where the order is in its life, as the merchant's feed says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Fulfilled,
    Shipped,
    OutForDelivery,
    Delivered,
    Cancelled,
    Refunded,
}

/// What a lookup query was matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LookupType {
    OrderNumber,
    Email,
    Phone,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    /// What was bought, as the customer would say it (`Blue Running Shoes`).
    pub name: String,
    /// The merchant's stock-keeping unit, if any.
    #[serde(default)]
    pub sku: Option<String>,
    /// At least 1; default 1.
    #[serde(default = "one")]
    pub quantity: u32,
    /// Price of one unit in minor units of the order's `currency`.
    pub unit_price: i64,
}

fn one() -> u32 {
    1
}

/// The shipment. Every field is optional; the voice agent reads what is there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    /// `UPS`, `DHL`, …
    #[serde(default)]
    pub carrier: Option<String>,
    /// The carrier's tracking number.
    #[serde(default)]
    pub number: Option<String>,
    /// An `http(s)` page where the customer can follow the parcel.
    #[serde(default)]
    pub url: Option<String>,
    /// The carrier's own status text (`in_transit`).
    #[serde(default)]
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub estimated_delivery: Option<String>,
}

/// The `object` tag of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderObject {
    Order,
}

/// An order of the merchant's feed, as lookups and the voice agent read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    /// `ord_…`; stable across upserts of the same order number.
    pub id: String,
    pub object: OrderObject,
    /// False for orders sent with a test key.
    pub livemode: bool,
    /// As the merchant first gave it, without a leading `#`. Unique per
    /// account and mode, case-insensitively.
    pub order_number: String,
    pub status: OrderStatus,
    /// As given; matched case-insensitively.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub customer_name: Option<String>,
    pub line_items: Vec<LineItem>,
    /// ISO 4217, lower case; null when the order has no amounts.
    pub currency: Option<String>,
    /// Minor units; the line items' sum unless the feed gave one.
    pub subtotal: Option<i64>,
    /// Minor units; the subtotal unless the feed gave one.
    pub total: Option<i64>,
    pub tracking: Option<Tracking>,
    /// Your own key-values, as sent.
    #[schema(value_type = Object)]
    pub metadata: Map<String, Value>,
    /// When the order was placed (the feed's `placed_at`, else when Barpel
    /// first received it). Lookups sort on it, newest first.
    #[serde(with = "time")]
    pub placed_at: DateTime<Utc>,
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// Last time any field changed (a re-post of the same row changes nothing).
    #[serde(with = "time")]
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/orders`: one row of the merchant's order feed, upserted by
/// `order_number`. Fields sent replace the stored ones, fields left out keep
/// their values, and `null` clears a field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertOrder {
    /// The key: `#1001` and `1001` are the same order, and so are `AB-1`
    /// and `ab-1` (the spelling first sent is kept). 1–64 characters.
    pub order_number: String,
    /// Required when the order is new; cannot be cleared.
    #[serde(default)]
    pub status: Option<OrderStatus>,
    /// The customer's email; lookups match it case-insensitively.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// The customer's phone: E.164 (`+14155551234`), or a national format
    /// read in `phone_region`. Stored in E.164.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// ISO 3166 region for reading a national `phone` (`US`, `GB`). Default
    /// `US` (the installation's `ORDERS_DEFAULT_PHONE_REGION`). Not stored.
    #[serde(default)]
    pub phone_region: Option<String>,
    /// How the agent greets the customer.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub customer_name: Option<Option<String>>,
    /// At most 250; replaces the stored list.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<LineItem>>)]
    pub line_items: Option<Option<Vec<LineItem>>>,
    /// ISO 4217 (`usd`); required when the order has line items or amounts.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    /// Minor units; default: the line items' sum.
    #[serde(default)]
    pub subtotal: Option<i64>,
    /// Minor units; default: the subtotal.
    #[serde(default)]
    pub total: Option<i64>,
    /// Replaces the stored tracking whole; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Tracking>)]
    pub tracking: Option<Option<Tracking>>,
    /// Your own key-values (at most 50 keys, 8 KiB); replaces the stored ones.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Option<Map<String, Value>>>,
    /// RFC 3339; default: when Barpel first receives the order.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub placed_at: Option<Option<DateTime<Utc>>>,
}

/// `GET /v1/orders/lookup`: the matching orders, newest first, and how the
/// query was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrderLookup {
    /// Always `list`.
    pub object: ListObject,
    /// What the query was matched against: as asked, or as detected.
    #[serde(rename = "type")]
    pub kind: LookupType,
    /// The query as searched: the order number without `#`, the email, or
    /// the phone number in E.164.
    pub query: String,
    pub data: Vec<Order>,
    /// Whether more orders match than `limit` returned.
    pub has_more: bool,
}

/// A field that may be absent (`None`), `null` (`Some(None)`) or set.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

mod convert;
