//! What one row of the merchant's feed changes: read from the proto order
//! and its field mask, validated field by field, then applied to the stored
//! order (or to a new one).
//!
//! Semantics, as the public API documents them: fields sent replace the
//! stored ones, fields left out keep their values, `null` (an empty value
//! over gRPC) clears a field. So a merchant can send a whole order each time
//! or just `{"order_number": "1001", "status": "shipped"}`, and an update
//! can never wipe an email it did not mention.

use crate::{
    order::{LineItem, Order, Status, Tenant, Tracking},
    validate::{self, RawTracking},
};
use barpel_platform::{ServiceError, ids};
use barpel_proto::{json, orders::v1 as pb};
use chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use serde_json::{Map, Value};

/// One field of an upsert.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    /// Not sent: keep the stored value.
    Keep,
    /// Sent empty (`null`): remove the stored value.
    Clear,
    /// Sent: replace the stored value.
    Set(T),
}

impl<T> Field<T> {
    fn apply(self, current: &mut Option<T>) {
        match self {
            Field::Keep => {}
            Field::Clear => *current = None,
            Field::Set(value) => *current = Some(value),
        }
    }
}

/// A validated feed row.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderPatch {
    /// The key, without `#`.
    pub order_number: String,
    /// `None`: keep (required when the order is new).
    pub status: Option<Status>,
    pub email: Field<String>,
    /// E.164.
    pub phone: Field<String>,
    pub customer_name: Field<String>,
    pub line_items: Field<Vec<LineItem>>,
    pub currency: Field<String>,
    pub subtotal: Field<i64>,
    pub total: Field<i64>,
    pub tracking: Field<Tracking>,
    pub metadata: Field<Map<String, Value>>,
    /// `Clear`: back to `created_at`.
    pub placed_at: Field<DateTime<Utc>>,
}

/// The outcome of applying a patch.
#[derive(Debug, Clone, PartialEq)]
pub struct Upserted {
    pub order: Order,
    /// No order had this number before.
    pub created: bool,
    /// An existing order's status or tracking changed: `order.updated` is due.
    pub changed: bool,
    /// Anything was written (false for a re-post of the same row).
    pub modified: bool,
}

/// The public names of the fields a mask may list.
const FIELDS: &[&str] = &[
    "order_number",
    "status",
    "email",
    "phone",
    "customer_name",
    "line_items",
    "currency",
    "subtotal",
    "total",
    "tracking",
    "metadata",
    "placed_at",
];

/// Which fields the caller set: the listed ones, or (no list) the ones with
/// a non-empty value.
struct Mask<'a>(Option<Vec<&'a str>>);

impl<'a> Mask<'a> {
    fn new(paths: &'a [String]) -> Result<Self, ServiceError> {
        if let Some(unknown) = paths.iter().find(|p| !FIELDS.contains(&p.as_str())) {
            return Err(ServiceError::invalid(
                "update_mask",
                "parameter_invalid",
                format!("update_mask lists {unknown:?}, which is not an order field."),
            ));
        }
        Ok(Self(
            (!paths.is_empty()).then(|| paths.iter().map(String::as_str).collect()),
        ))
    }

    fn has(&self, field: &str, non_empty: bool) -> bool {
        match &self.0 {
            Some(listed) => listed.contains(&field),
            None => non_empty,
        }
    }
}

/// A string field: blank clears it, anything else goes through `parse`.
fn text_field<T>(
    given: bool,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, ServiceError>,
) -> Result<Field<T>, ServiceError> {
    Ok(match (given, raw.trim().is_empty()) {
        (false, _) => Field::Keep,
        (true, true) => Field::Clear,
        (true, false) => Field::Set(parse(raw)?),
    })
}

/// Timestamps keep microseconds, as Postgres does, so a re-posted row
/// compares equal to the stored one.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}

impl OrderPatch {
    /// Reads and validates a feed row. `region` reads national phone
    /// formats.
    pub fn from_proto(
        order: &pb::Order,
        mask: &[String],
        region: &str,
    ) -> Result<Self, ServiceError> {
        let mask = Mask::new(mask)?;
        Ok(Self {
            order_number: validate::order_number("order_number", &order.order_number)?,
            status: status(&mask, order.status)?,
            email: text_field(
                mask.has("email", !order.email.is_empty()),
                &order.email,
                |v| validate::email("email", v),
            )?,
            phone: text_field(
                mask.has("phone", !order.phone.is_empty()),
                &order.phone,
                |v| validate::phone("phone", v, region),
            )?,
            customer_name: customer_name(&mask, &order.customer_name)?,
            line_items: line_items(&mask, &order.line_items)?,
            currency: text_field(
                mask.has("currency", !order.currency.is_empty()),
                &order.currency,
                |v| validate::currency("currency", v),
            )?,
            subtotal: amount(&mask, "subtotal", order.subtotal)?,
            total: amount(&mask, "total", order.total)?,
            tracking: tracking(&mask, order.tracking.as_ref())?,
            metadata: metadata(&mask, order.metadata.as_ref())?,
            placed_at: placed_at(&mask, order.placed_at.as_ref())?,
        })
    }

    /// Applies the row to the stored order, or creates one. `now` is
    /// truncated to microseconds by the caller.
    pub fn apply(
        self,
        existing: Option<&Order>,
        tenant: &Tenant,
        now: DateTime<Utc>,
    ) -> Result<Upserted, ServiceError> {
        // The stored spelling of the order number is kept: it is the key,
        // and `ab-1` re-posted as `AB-1` is the same order, not a rename.
        let mut order = match existing {
            Some(stored) => stored.clone(),
            None => self.new_order(tenant, now)?,
        };
        if let Some(status) = self.status {
            order.status = status;
        }
        self.email.apply(&mut order.email);
        self.phone.apply(&mut order.phone);
        self.customer_name.apply(&mut order.customer_name);
        set_or_default(self.line_items, &mut order.line_items);
        self.currency.apply(&mut order.currency);
        self.subtotal.apply(&mut order.subtotal);
        self.total.apply(&mut order.total);
        self.tracking.apply(&mut order.tracking);
        set_or_default(self.metadata, &mut order.metadata);
        order.placed_at = match self.placed_at {
            Field::Keep => order.placed_at,
            Field::Clear => order.created_at,
            Field::Set(t) => t,
        };
        require_currency(&order)?;
        Ok(outcome(existing, order, now))
    }

    /// An order with only the patch's values; `status` is required.
    fn new_order(&self, tenant: &Tenant, now: DateTime<Utc>) -> Result<Order, ServiceError> {
        let status = self.status.ok_or_else(|| {
            ServiceError::invalid(
                "status",
                "parameter_missing",
                format!(
                    "Missing required parameter: status. It is required to create an order, and there is no order {} yet.",
                    self.order_number
                ),
            )
        })?;
        Ok(Order {
            id: ids::new_id("ord"),
            account_id: tenant.account_id.clone(),
            livemode: tenant.livemode,
            order_number: self.order_number.clone(),
            email: None,
            phone: None,
            status,
            line_items: Vec::new(),
            currency: None,
            subtotal: None,
            total: None,
            tracking: None,
            customer_name: None,
            metadata: Map::new(),
            created_at: now,
            updated_at: now,
            placed_at: now,
        })
    }
}

fn set_or_default<T: Default>(field: Field<T>, current: &mut T) {
    match field {
        Field::Keep => {}
        Field::Clear => *current = T::default(),
        Field::Set(value) => *current = value,
    }
}

fn outcome(existing: Option<&Order>, mut order: Order, now: DateTime<Utc>) -> Upserted {
    let Some(stored) = existing else {
        return Upserted {
            order,
            created: true,
            changed: false,
            modified: true,
        };
    };
    let changed = stored.status != order.status || stored.tracking != order.tracking;
    let modified = stored != &order;
    if modified {
        order.updated_at = now;
    }
    Upserted {
        order,
        created: false,
        changed,
        modified,
    }
}

/// Amounts without a currency mean nothing.
fn require_currency(order: &Order) -> Result<(), ServiceError> {
    let priced = order.subtotal.is_some() || order.total.is_some() || !order.line_items.is_empty();
    if priced && order.currency.is_none() {
        return Err(ServiceError::invalid(
            "currency",
            "parameter_missing",
            "Missing required parameter: currency. It is required when an order has line_items, subtotal or total.",
        ));
    }
    Ok(())
}

fn status(mask: &Mask<'_>, value: i32) -> Result<Option<Status>, ServiceError> {
    if !mask.has("status", value != 0) {
        return Ok(None);
    }
    Status::from_proto(value).map(Some).ok_or_else(|| {
        let allowed: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        ServiceError::invalid(
            "status",
            "parameter_invalid",
            format!("status must be one of {}.", allowed.join(", ")),
        )
    })
}

fn customer_name(mask: &Mask<'_>, raw: &str) -> Result<Field<String>, ServiceError> {
    let given = mask.has("customer_name", !raw.is_empty());
    let parsed = text_field(given, raw, |v| {
        validate::short_text("customer_name", v).map(Option::unwrap_or_default)
    })?;
    Ok(parsed)
}

fn line_items(
    mask: &Mask<'_>,
    items: &[pb::LineItem],
) -> Result<Field<Vec<LineItem>>, ServiceError> {
    if !mask.has("line_items", !items.is_empty()) {
        return Ok(Field::Keep);
    }
    if items.is_empty() {
        return Ok(Field::Clear);
    }
    let items = items
        .iter()
        .map(|i| LineItem {
            name: i.name.clone(),
            sku: Some(i.sku.clone()),
            quantity: i.quantity,
            unit_price: i.unit_price,
        })
        .collect();
    Ok(Field::Set(validate::line_items(items)?))
}

fn amount(mask: &Mask<'_>, field: &str, value: i64) -> Result<Field<i64>, ServiceError> {
    if !mask.has(field, value != 0) {
        return Ok(Field::Keep);
    }
    Ok(Field::Set(validate::amount(field, value)?))
}

fn tracking(mask: &Mask<'_>, raw: Option<&pb::Tracking>) -> Result<Field<Tracking>, ServiceError> {
    if !mask.has("tracking", raw.is_some()) {
        return Ok(Field::Keep);
    }
    let Some(raw) = raw else {
        return Ok(Field::Clear);
    };
    let parsed = validate::tracking(RawTracking {
        carrier: &raw.carrier,
        number: &raw.number,
        url: &raw.url,
        status: &raw.status,
        estimated_delivery: &raw.estimated_delivery,
    })?;
    Ok(parsed.map_or(Field::Clear, Field::Set))
}

fn metadata(
    mask: &Mask<'_>,
    raw: Option<&prost_types::Struct>,
) -> Result<Field<Map<String, Value>>, ServiceError> {
    let map = json::map_from_struct(raw);
    if !mask.has("metadata", !map.is_empty()) {
        return Ok(Field::Keep);
    }
    if map.is_empty() {
        return Ok(Field::Clear);
    }
    Ok(Field::Set(validate::metadata(map)?))
}

/// When the order was placed: not more than a day ahead (clock skew and
/// time zones, not typos of the year).
fn placed_at(
    mask: &Mask<'_>,
    raw: Option<&prost_types::Timestamp>,
) -> Result<Field<DateTime<Utc>>, ServiceError> {
    if !mask.has("placed_at", raw.is_some()) {
        return Ok(Field::Keep);
    }
    let Some(raw) = raw else {
        return Ok(Field::Clear);
    };
    let latest = Utc::now() + Duration::days(1);
    match barpel_proto::time::datetime(raw) {
        Some(t) if t <= latest => Ok(Field::Set(micros(t))),
        _ => Err(ServiceError::invalid(
            "placed_at",
            "parameter_invalid",
            "placed_at must be a time no later than tomorrow (RFC 3339, e.g. 2026-03-15T14:30:00Z).",
        )),
    }
}

#[cfg(test)]
mod tests;
