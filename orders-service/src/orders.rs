//! The three things orders-service does: take a feed row (upsert), read an
//! order by id, and look orders up by number, email or phone. Transport-free:
//! `grpc.rs` adapts these to the contract.

use crate::{
    lookup::{self, LookupType, Search},
    order::{Order, Tenant},
    patch::{OrderPatch, Upserted, micros},
    store, validate,
};
use barpel_platform::{ErrorKind, ServiceError, ids, outbox};
use barpel_proto::{
    events::v1::{Event, event},
    orders::v1 as pb,
    time::timestamp,
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Lookups return 20 orders unless asked for fewer or more (at most 100).
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// How often an upsert retries after losing an insert race.
const INSERT_ATTEMPTS: usize = 3;

/// The order feed of every tenant, in one schema.
#[derive(Clone)]
pub struct Orders {
    pool: PgPool,
    /// Region for national phone formats when a request names none.
    default_region: String,
}

/// What a lookup asks.
#[derive(Debug, Clone, Default)]
pub struct LookupRequest {
    pub query: String,
    /// `None`: detect from the query.
    pub kind: Option<LookupType>,
    /// Blank: the service's default region.
    pub phone_region: String,
    /// 0: the default.
    pub limit: u32,
}

/// What a lookup found (never empty: no match is a 404).
#[derive(Debug, Clone)]
pub struct Found {
    /// The search that matched.
    pub search: Search,
    /// Newest first.
    pub orders: Vec<Order>,
    pub has_more: bool,
}

impl Orders {
    pub fn new(pool: PgPool, default_region: String) -> Self {
        Self {
            pool,
            default_region,
        }
    }

    /// Stores a feed row: creates the order, updates it, or (a re-post of
    /// the same row) leaves it alone. An `order.updated` event is written in
    /// the same transaction when an existing order's status or tracking
    /// changed.
    pub async fn upsert(
        &self,
        tenant: &Tenant,
        order: &pb::Order,
        mask: &[String],
        phone_region: &str,
    ) -> Result<Upserted, ServiceError> {
        let region = self.region(phone_region)?;
        let patch = OrderPatch::from_proto(order, mask, &region)?;
        let mut tx = self.pool.begin().await?;
        for _ in 0..INSERT_ATTEMPTS {
            let stored = store::lock_by_number(&mut tx, tenant, &patch.order_number).await?;
            let now = micros(Utc::now());
            let upserted = patch.clone().apply(stored.as_ref(), tenant, now)?;
            if stored.is_none() {
                if !store::insert(&mut tx, &upserted.order).await? {
                    continue; // a concurrent upsert created it: update that one
                }
            } else if upserted.modified {
                store::update(&mut tx, &upserted.order).await?;
            }
            if upserted.changed {
                outbox::enqueue(&mut tx, &updated_event(&upserted.order, now)).await?;
            }
            tx.commit().await?;
            return Ok(upserted);
        }
        Err(ServiceError::new(
            ErrorKind::Unavailable,
            "contention",
            "The order is being written by other requests right now; retry shortly.",
        ))
    }

    /// The tenant's order with this id; another tenant's id, or a malformed
    /// one, is a 404 like a missing one.
    pub async fn get(&self, tenant: &Tenant, id: &str) -> Result<Order, ServiceError> {
        let missing = || ServiceError::not_found("order", id);
        if !ids::is_valid(id, "ord") {
            return Err(missing());
        }
        store::get(&self.pool, tenant, id)
            .await?
            .ok_or_else(missing)
    }

    /// Runs the query's searches in order until one matches; none matching
    /// is a 404 whose message says what was searched.
    pub async fn lookup(
        &self,
        tenant: &Tenant,
        request: &LookupRequest,
    ) -> Result<Found, ServiceError> {
        let limit = limit(request.limit)?;
        let region = self.region(&request.phone_region)?;
        let searches = lookup::plan(&request.query, request.kind, &region)?;
        for search in &searches {
            let mut orders = store::lookup(
                &self.pool,
                tenant,
                search.kind,
                &search.value,
                i64::from(limit) + 1,
            )
            .await?;
            if orders.is_empty() {
                continue;
            }
            let has_more = orders.len() > limit as usize;
            orders.truncate(limit as usize);
            return Ok(Found {
                search: search.clone(),
                orders,
                has_more,
            });
        }
        Err(nothing_found(&searches))
    }

    /// The request's region, checked, or the default.
    fn region(&self, requested: &str) -> Result<String, ServiceError> {
        if requested.trim().is_empty() {
            Ok(self.default_region.clone())
        } else {
            validate::region(requested)
        }
    }
}

fn limit(requested: u32) -> Result<u32, ServiceError> {
    match requested {
        0 => Ok(DEFAULT_LIMIT),
        1..=MAX_LIMIT => Ok(requested),
        _ => Err(ServiceError::invalid(
            "limit",
            "parameter_invalid",
            format!("limit must be between 1 and {MAX_LIMIT}; got {requested}."),
        )),
    }
}

/// "No orders found with phone number '+14155551234' or order number
/// '4155551234'."
fn nothing_found(searches: &[Search]) -> ServiceError {
    let what: Vec<String> = searches
        .iter()
        .map(|s| format!("{} '{}'", s.kind.describe(), s.value))
        .collect();
    ServiceError::new(
        ErrorKind::NotFound,
        "resource_missing",
        format!("No orders found with {}.", what.join(" or ")),
    )
    .with_param("query")
}

/// `order.updated`, carrying the order as it is after the change.
fn updated_event(order: &Order, now: DateTime<Utc>) -> Event {
    Event {
        id: ids::new_id("evt"),
        r#type: "order.updated".into(),
        created_at: Some(timestamp(now)),
        account_id: order.account_id.clone(),
        livemode: order.livemode,
        object: Some(event::Object::Order(order.to_proto())),
    }
}
