//! The tonic adapter: unpacks requests, calls [`Orders`], packs answers.
//! No rules live here; errors become statuses with `ErrorInfo` details
//! through `barpel_platform::grpc::status`.

use crate::{
    lookup::LookupType,
    order::Tenant,
    orders::{LookupRequest, Orders},
};
use barpel_platform::{ServiceError, grpc::status};
use barpel_proto::orders::v1::{
    GetOrderRequest, LookupOrdersRequest, LookupOrdersResponse, Order, UpsertOrderRequest,
    UpsertOrderResponse, order_service_server::OrderService,
};
use prost::Message;
use tonic::{Request, Response, Status};

/// A lookup answer stays under gRPC's default 4 MiB message limit: orders
/// past this many encoded bytes are left out and `has_more` is set. Only
/// pathological orders (hundreds of long line items) ever reach it.
const RESPONSE_BUDGET: usize = 3 * 1024 * 1024;

/// `barpel.orders.v1.OrderService` over [`Orders`].
pub struct OrderGrpc {
    orders: Orders,
}

impl OrderGrpc {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

/// Every request must say whom it acts for.
fn tenant(tenant: Option<barpel_proto::Tenant>) -> Result<Tenant, Status> {
    match tenant {
        Some(t) if !t.account_id.is_empty() => Ok(Tenant {
            account_id: t.account_id,
            livemode: t.livemode,
        }),
        _ => Err(status(ServiceError::invalid(
            "tenant",
            "parameter_missing",
            "Every request needs a tenant (account_id and livemode).",
        ))),
    }
}

#[tonic::async_trait]
impl OrderService for OrderGrpc {
    async fn upsert_order(
        &self,
        request: Request<UpsertOrderRequest>,
    ) -> Result<Response<UpsertOrderResponse>, Status> {
        let request = request.into_inner();
        let tenant = tenant(request.tenant)?;
        let order = request.order.unwrap_or_default();
        let mask = request.update_mask.map(|m| m.paths).unwrap_or_default();
        let upserted = self
            .orders
            .upsert(&tenant, &order, &mask, &request.phone_region)
            .await
            .map_err(status)?;
        Ok(Response::new(UpsertOrderResponse {
            order: Some(upserted.order.to_proto()),
            created: upserted.created,
            changed: upserted.changed,
        }))
    }

    async fn get_order(
        &self,
        request: Request<GetOrderRequest>,
    ) -> Result<Response<Order>, Status> {
        let request = request.into_inner();
        let tenant = tenant(request.tenant)?;
        let order = self
            .orders
            .get(&tenant, &request.id)
            .await
            .map_err(status)?;
        Ok(Response::new(order.to_proto()))
    }

    async fn lookup_orders(
        &self,
        request: Request<LookupOrdersRequest>,
    ) -> Result<Response<LookupOrdersResponse>, Status> {
        let request = request.into_inner();
        let tenant = tenant(request.tenant)?;
        let lookup = LookupRequest {
            query: request.query,
            kind: LookupType::from_proto(request.r#type).map_err(status)?,
            phone_region: request.phone_region,
            limit: request.limit,
        };
        let found = self.orders.lookup(&tenant, &lookup).await.map_err(status)?;
        let (orders, cut) = within_budget(found.orders.iter().map(|o| o.to_proto()));
        Ok(Response::new(LookupOrdersResponse {
            r#type: found.search.kind.to_proto() as i32,
            orders,
            has_more: found.has_more || cut,
            query: found.search.value,
        }))
    }
}

/// The orders that fit [`RESPONSE_BUDGET`] (always the first), and whether
/// any were left out.
fn within_budget(orders: impl Iterator<Item = Order>) -> (Vec<Order>, bool) {
    let mut kept = Vec::new();
    let mut size = 0;
    for order in orders {
        size += order.encoded_len();
        if size > RESPONSE_BUDGET && !kept.is_empty() {
            return (kept, true);
        }
        kept.push(order);
    }
    (kept, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_stay_under_the_message_limit() {
        let big = |n: usize| Order {
            customer_name: "x".repeat(n),
            ..Default::default()
        };
        let (kept, cut) = within_budget([big(10), big(20)].into_iter());
        assert_eq!((kept.len(), cut), (2, false));
        let mb = 1024 * 1024;
        let (kept, cut) = within_budget([big(2 * mb), big(2 * mb), big(10)].into_iter());
        assert_eq!((kept.len(), cut), (1, true));
        let (kept, cut) = within_budget([big(5 * mb)].into_iter());
        assert_eq!(
            (kept.len(), cut),
            (1, false),
            "the first order is always sent"
        );
    }
}
