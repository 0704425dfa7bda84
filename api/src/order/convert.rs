//! Conversions between the public order models and the proto contract.

use super::{
    LineItem, LookupType, Order, OrderLookup, OrderObject, OrderStatus, Tracking, UpsertOrder,
};
use crate::{list::ListObject, proto_enum::proto_enum, time};
use barpel_proto::{json, orders::v1 as pb, time::timestamp};

proto_enum!(OrderStatus, pb::OrderStatus, {
    Pending => Pending,
    Paid => Paid,
    Fulfilled => Fulfilled,
    Shipped => Shipped,
    OutForDelivery => OutForDelivery,
    Delivered => Delivered,
    Cancelled => Cancelled,
    Refunded => Refunded,
});

proto_enum!(LookupType, pb::LookupType, {
    OrderNumber => OrderNumber,
    Email => Email,
    Phone => Phone,
});

/// Proto3 has no null: an empty string is an absent value.
fn present(s: &str) -> Option<String> {
    Some(s.to_owned()).filter(|s| !s.is_empty())
}

impl From<&pb::LineItem> for LineItem {
    fn from(item: &pb::LineItem) -> Self {
        Self {
            name: item.name.clone(),
            sku: present(&item.sku),
            quantity: item.quantity,
            unit_price: item.unit_price,
        }
    }
}

impl From<&pb::Tracking> for Tracking {
    fn from(t: &pb::Tracking) -> Self {
        Self {
            carrier: present(&t.carrier),
            number: present(&t.number),
            url: present(&t.url),
            status: present(&t.status),
            estimated_delivery: present(&t.estimated_delivery),
        }
    }
}

impl From<&pb::Order> for Order {
    fn from(o: &pb::Order) -> Self {
        let currency = present(&o.currency);
        let priced = currency.is_some();
        Self {
            id: o.id.clone(),
            object: OrderObject::Order,
            livemode: o.livemode,
            order_number: o.order_number.clone(),
            status: OrderStatus::from_proto(o.status).unwrap_or(OrderStatus::Pending),
            email: present(&o.email),
            phone: present(&o.phone),
            customer_name: present(&o.customer_name),
            line_items: o.line_items.iter().map(LineItem::from).collect(),
            currency,
            subtotal: priced.then_some(o.subtotal),
            total: priced.then_some(o.total),
            tracking: o.tracking.as_ref().map(Tracking::from),
            metadata: json::map_from_struct(o.metadata.as_ref()),
            placed_at: time::from_proto(o.placed_at.as_ref()).unwrap_or_default(),
            created_at: time::from_proto(o.created_at.as_ref()).unwrap_or_default(),
            updated_at: time::from_proto(o.updated_at.as_ref()).unwrap_or_default(),
        }
    }
}

impl OrderLookup {
    pub fn from_proto(response: &pb::LookupOrdersResponse) -> Self {
        Self {
            object: ListObject::List,
            kind: LookupType::from_proto(response.r#type).unwrap_or(LookupType::OrderNumber),
            query: response.query.clone(),
            data: response.orders.iter().map(Order::from).collect(),
            has_more: response.has_more,
        }
    }
}

impl UpsertOrder {
    /// The gRPC request for this body, acting as `tenant`.
    pub fn to_request(&self, tenant: Option<barpel_proto::Tenant>) -> pb::UpsertOrderRequest {
        let (order, paths) = self.to_proto();
        pb::UpsertOrderRequest {
            tenant,
            order: Some(order),
            phone_region: self.phone_region.clone().unwrap_or_default(),
            update_mask: Some(prost_types::FieldMask { paths }),
        }
    }

    /// The proto order and its field mask: every field the body mentions
    /// (with `null` sent as an empty value, which clears it), and only those.
    pub fn to_proto(&self) -> (pb::Order, Vec<String>) {
        let mut mask = vec!["order_number".to_owned()];
        let mut set = |field: &str, given: bool| {
            if given {
                mask.push(field.to_owned());
            }
        };
        set("status", self.status.is_some());
        set("email", self.email.is_some());
        set("phone", self.phone.is_some());
        set("customer_name", self.customer_name.is_some());
        set("line_items", self.line_items.is_some());
        set("currency", self.currency.is_some());
        set("subtotal", self.subtotal.is_some());
        set("total", self.total.is_some());
        set("tracking", self.tracking.is_some());
        set("metadata", self.metadata.is_some());
        set("placed_at", self.placed_at.is_some());
        (self.order(), mask)
    }

    fn order(&self) -> pb::Order {
        let text = |field: &Option<Option<String>>| field.clone().flatten().unwrap_or_default();
        pb::Order {
            order_number: self.order_number.clone(),
            status: self.status.map_or(0, |s| s.to_proto() as i32),
            email: text(&self.email),
            phone: text(&self.phone),
            customer_name: text(&self.customer_name),
            line_items: self
                .line_items
                .iter()
                .flatten()
                .flatten()
                .map(line_item)
                .collect(),
            currency: text(&self.currency),
            subtotal: self.subtotal.unwrap_or_default(),
            total: self.total.unwrap_or_default(),
            tracking: self.tracking.clone().flatten().map(|t| tracking(&t)),
            metadata: self
                .metadata
                .clone()
                .flatten()
                .map(|m| json::struct_from_map(&m)),
            placed_at: self.placed_at.flatten().map(timestamp),
            ..Default::default()
        }
    }
}

fn line_item(item: &LineItem) -> pb::LineItem {
    pb::LineItem {
        name: item.name.clone(),
        sku: item.sku.clone().unwrap_or_default(),
        quantity: item.quantity,
        unit_price: item.unit_price,
    }
}

fn tracking(t: &Tracking) -> pb::Tracking {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    pb::Tracking {
        carrier: text(&t.carrier),
        number: text(&t.number),
        url: text(&t.url),
        status: text(&t.status),
        estimated_delivery: text(&t.estimated_delivery),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: serde_json::Value) -> UpsertOrder {
        serde_json::from_value(value).expect("body")
    }

    #[test]
    fn the_mask_names_what_the_body_mentions_and_null_clears() {
        let (order, mask) = body(json!({
            "order_number": "#1001",
            "status": "shipped",
            "phone": null,
            "tracking": {"carrier": "UPS"}
        }))
        .to_proto();
        assert_eq!(mask, ["order_number", "status", "phone", "tracking"]);
        assert_eq!(order.status, pb::OrderStatus::Shipped as i32);
        assert_eq!(order.phone, "");
        assert_eq!(order.tracking.map(|t| t.carrier), Some("UPS".into()));
    }

    #[test]
    fn unknown_fields_are_refused_even_when_nested() {
        let top: Result<UpsertOrder, _> =
            serde_json::from_value(json!({"order_number": "1", "colour": "red"}));
        assert!(top.is_err());
        let nested: Result<UpsertOrder, _> =
            serde_json::from_value(json!({"order_number": "1", "tracking": {"carier": "UPS"}}));
        assert!(nested.is_err());
    }

    #[test]
    fn orders_render_absent_values_as_null() {
        let order = Order::from(&pb::Order {
            id: "ord_1".into(),
            order_number: "1001".into(),
            status: pb::OrderStatus::Paid as i32,
            subtotal: 0,
            ..Default::default()
        });
        let value = serde_json::to_value(&order).expect("json");
        assert_eq!(value["object"], "order");
        assert_eq!(value["email"], serde_json::Value::Null);
        assert_eq!(
            value["total"],
            serde_json::Value::Null,
            "no currency, no amounts"
        );
        assert_eq!(value["tracking"], serde_json::Value::Null);
        assert_eq!(value["status"], "paid");
    }
}
