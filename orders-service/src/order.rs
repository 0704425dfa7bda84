//! The order as orders-service keeps it, and its protobuf form.
//!
//! Plain data: validation lives in `validate.rs`, how an upsert changes an
//! order in `patch.rs`.

use barpel_proto::{json, orders::v1 as pb, time::timestamp};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who an operation acts for. Every query is scoped by both fields: modes
/// are separate worlds, and accounts never see each other's orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// `acct_…`, from the caller's API key.
    pub account_id: String,
    /// True for live keys.
    pub livemode: bool,
}

/// Where an order is in its life, as the merchant's feed says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Pending,
    Paid,
    Fulfilled,
    Shipped,
    OutForDelivery,
    Delivered,
    Cancelled,
    Refunded,
}

impl Status {
    /// Every status, in life order.
    pub const ALL: [Status; 8] = [
        Status::Pending,
        Status::Paid,
        Status::Fulfilled,
        Status::Shipped,
        Status::OutForDelivery,
        Status::Delivered,
        Status::Cancelled,
        Status::Refunded,
    ];

    /// The spelling stored in the database and used by the public API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Paid => "paid",
            Status::Fulfilled => "fulfilled",
            Status::Shipped => "shipped",
            Status::OutForDelivery => "out_for_delivery",
            Status::Delivered => "delivered",
            Status::Cancelled => "cancelled",
            Status::Refunded => "refunded",
        }
    }

    /// The inverse of [`Status::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// From the proto enum's number; `None` for unspecified or unknown.
    pub fn from_proto(value: i32) -> Option<Self> {
        Some(match pb::OrderStatus::try_from(value).ok()? {
            pb::OrderStatus::Unspecified => return None,
            pb::OrderStatus::Pending => Status::Pending,
            pb::OrderStatus::Paid => Status::Paid,
            pb::OrderStatus::Fulfilled => Status::Fulfilled,
            pb::OrderStatus::Shipped => Status::Shipped,
            pb::OrderStatus::OutForDelivery => Status::OutForDelivery,
            pb::OrderStatus::Delivered => Status::Delivered,
            pb::OrderStatus::Cancelled => Status::Cancelled,
            pb::OrderStatus::Refunded => Status::Refunded,
        })
    }

    pub fn to_proto(self) -> pb::OrderStatus {
        match self {
            Status::Pending => pb::OrderStatus::Pending,
            Status::Paid => pb::OrderStatus::Paid,
            Status::Fulfilled => pb::OrderStatus::Fulfilled,
            Status::Shipped => pb::OrderStatus::Shipped,
            Status::OutForDelivery => pb::OrderStatus::OutForDelivery,
            Status::Delivered => pb::OrderStatus::Delivered,
            Status::Cancelled => pb::OrderStatus::Cancelled,
            Status::Refunded => pb::OrderStatus::Refunded,
        }
    }
}

/// One line of an order. Stored as jsonb with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// At least 1.
    pub quantity: u32,
    /// Minor units of the order's currency.
    pub unit_price: i64,
}

/// The shipment, as the carrier reports it. Every field is optional, but a
/// tracking with none set is no tracking (stored as NULL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracking {
    pub carrier: Option<String>,
    pub number: Option<String>,
    /// `http(s)://…` page where the customer can follow the parcel.
    pub url: Option<String>,
    /// The carrier's own status text (`in_transit`, `Out for delivery`).
    pub status: Option<String>,
    /// Serialised as `YYYY-MM-DD`.
    pub estimated_delivery: Option<NaiveDate>,
}

/// An order of the merchant's feed, for one account and mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// `ord_…`, stable across upserts.
    pub id: String,
    pub account_id: String,
    pub livemode: bool,
    /// As the merchant gave it, without a leading `#`.
    pub order_number: String,
    /// As given; matched case-insensitively.
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub status: Status,
    pub line_items: Vec<LineItem>,
    /// ISO 4217, lower case; set whenever the order carries amounts.
    pub currency: Option<String>,
    /// As given; when absent, derived from the line items (see
    /// [`Order::amounts`]).
    pub subtotal: Option<i64>,
    pub total: Option<i64>,
    pub tracking: Option<Tracking>,
    pub customer_name: Option<String>,
    pub metadata: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub placed_at: DateTime<Utc>,
}

impl Order {
    /// `(subtotal, total)`: as given, else the line items' sum for the
    /// subtotal and the subtotal for the total. Derived when read rather
    /// than stored, so later line-item changes never leave a stale sum.
    pub fn amounts(&self) -> (i64, i64) {
        let items = self.line_items.iter().fold(0i64, |sum, item| {
            sum.saturating_add(item.unit_price.saturating_mul(i64::from(item.quantity)))
        });
        let subtotal = self.subtotal.unwrap_or(items);
        (subtotal, self.total.unwrap_or(subtotal))
    }

    /// The order as it crosses gRPC and the bus. Absent values are empty
    /// (proto3 has no null); amounts are 0 when there is no currency.
    pub fn to_proto(&self) -> pb::Order {
        let (subtotal, total) = match self.currency {
            Some(_) => self.amounts(),
            None => (0, 0),
        };
        pb::Order {
            id: self.id.clone(),
            livemode: self.livemode,
            order_number: self.order_number.clone(),
            email: self.email.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            status: self.status.to_proto() as i32,
            line_items: self.line_items.iter().map(LineItem::to_proto).collect(),
            currency: self.currency.clone().unwrap_or_default(),
            subtotal,
            total,
            tracking: self.tracking.as_ref().map(Tracking::to_proto),
            customer_name: self.customer_name.clone().unwrap_or_default(),
            metadata: Some(json::struct_from_map(&self.metadata)),
            created_at: Some(timestamp(self.created_at)),
            updated_at: Some(timestamp(self.updated_at)),
            placed_at: Some(timestamp(self.placed_at)),
        }
    }
}

impl LineItem {
    fn to_proto(&self) -> pb::LineItem {
        pb::LineItem {
            name: self.name.clone(),
            sku: self.sku.clone().unwrap_or_default(),
            quantity: self.quantity,
            unit_price: self.unit_price,
        }
    }
}

impl Tracking {
    fn to_proto(&self) -> pb::Tracking {
        pb::Tracking {
            carrier: self.carrier.clone().unwrap_or_default(),
            number: self.number.clone().unwrap_or_default(),
            url: self.url.clone().unwrap_or_default(),
            status: self.status.clone().unwrap_or_default(),
            estimated_delivery: self
                .estimated_delivery
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        }
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &Tracking::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_text_and_proto() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
            assert_eq!(Status::from_proto(status.to_proto() as i32), Some(status));
        }
        assert_eq!(Status::from_proto(0), None);
        assert_eq!(Status::parse("lost"), None);
    }

    #[test]
    fn amounts_default_from_line_items() {
        let item = |quantity, unit_price| LineItem {
            name: "x".into(),
            sku: None,
            quantity,
            unit_price,
        };
        let mut order = Order {
            id: "ord_1".into(),
            account_id: "acct_1".into(),
            livemode: false,
            order_number: "1001".into(),
            email: None,
            phone: None,
            status: Status::Paid,
            line_items: vec![item(2, 1500), item(1, 999)],
            currency: Some("usd".into()),
            subtotal: None,
            total: None,
            tracking: None,
            customer_name: None,
            metadata: Map::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            placed_at: Utc::now(),
        };
        assert_eq!(order.amounts(), (3999, 3999));
        order.total = Some(4599);
        assert_eq!(order.amounts(), (3999, 4599));
        order.currency = None;
        assert_eq!((order.to_proto().subtotal, order.to_proto().total), (0, 0));
    }
}
