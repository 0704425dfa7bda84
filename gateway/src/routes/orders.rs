//! `/v1/orders`: the merchant's order feed (upsert by order number), an
//! order by id, and the lookup the voice agent and support tools use.

use crate::{
    backends::tenant,
    http::{ApiError, ApiJson, ApiQuery},
    keys::Principal,
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
};
use barpel_api::{LookupType, Order, OrderLookup, UpsertOrder};
use barpel_proto::orders::v1::{GetOrderRequest, LookupOrdersRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upsert_order))
        .routes(routes!(lookup_orders))
        .routes(routes!(get_order))
}

/// Create or update an order (the order feed).
///
/// Upserts by `order_number`: `#1001` and `1001` (and `AB-1` and `ab-1`)
/// are the same order. Fields sent replace the stored ones, fields left out
/// keep their values, and `null` clears a field, so you can send whole
/// orders or just what changed. `status` is required when the order is new.
///
/// A change of `status` or `tracking` emits an `order.updated` event; a
/// re-post of the same row changes nothing and emits nothing.
#[utoipa::path(
    post, path = "/v1/orders", tag = "orders",
    request_body = UpsertOrder,
    responses((status = 200, description = "The order as stored.", body = Order)),
)]
async fn upsert_order(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<UpsertOrder>,
) -> Result<Json<Order>, ApiError> {
    let request = body.to_request(tenant(&principal));
    let mut client = state.backends.orders.clone();
    let response = state
        .backends
        .call(client.upsert_order(state.backends.request(request)))
        .await?;
    let order = response
        .order
        .ok_or_else(|| ApiError::internal("orders-service answered an upsert without an order"))?;
    Ok(Json(Order::from(&order)))
}

/// Retrieve an order.
#[utoipa::path(
    get, path = "/v1/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order's id (`ord_…`).")),
    responses((status = 200, description = "The order.", body = Order)),
)]
async fn get_order(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    let request = GetOrderRequest {
        tenant: tenant(&principal),
        id,
    };
    let mut client = state.backends.orders.clone();
    let order = state
        .backends
        .call(client.get_order(state.backends.request(request)))
        .await?;
    Ok(Json(Order::from(&order)))
}

/// Parameters of `GET /v1/orders/lookup`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// An order number (`#1001` or `1001`), an email, or a phone number
    /// (E.164, or national in `phone_region`).
    query: String,
    /// What to match `query` against. When absent it is detected: an `@`
    /// means an email; a leading `#` an order number; a valid phone number
    /// a phone (falling back to the order number when no order has that
    /// phone); anything else an order number.
    #[serde(rename = "type")]
    #[param(inline)]
    kind: Option<LookupType>,
    /// ISO 3166 region for reading a national phone number (`US`, `GB`);
    /// default `US` (the installation's `ORDERS_DEFAULT_PHONE_REGION`).
    phone_region: Option<String>,
    /// 1 to 100, default 20.
    limit: Option<u32>,
}

/// Look orders up by order number, email or phone.
///
/// Returns the matching orders, newest first (by `placed_at`), with the
/// `type` the query was matched as and the `query` as searched (the order
/// number without `#`, or the phone number in E.164). An email or phone can
/// match several orders; an order number matches one. No match is a 404
/// whose message says what was searched.
#[utoipa::path(
    get, path = "/v1/orders/lookup", tag = "orders",
    params(LookupQuery),
    responses(
        (status = 200, description = "The matching orders, newest first.", body = OrderLookup),
        (status = 404, description = "No order matches; the message says what was searched.", body = barpel_api::ErrorBody),
    ),
)]
async fn lookup_orders(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<OrderLookup>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            "parameter_invalid",
            format!("limit must be between 1 and 100; got {limit}."),
        ));
    }
    let request = LookupOrdersRequest {
        tenant: tenant(&principal),
        query: query.query,
        r#type: query.kind.map_or(0, |k| k.to_proto() as i32),
        phone_region: query.phone_region.unwrap_or_default(),
        limit,
    };
    let mut client = state.backends.orders.clone();
    let found = state
        .backends
        .call(client.lookup_orders(state.backends.request(request)))
        .await?;
    Ok(Json(OrderLookup::from_proto(&found)))
}
