//! The order-status playbook's tool: looking an order up in
//! orders-service, over gRPC, as the call's own account and mode.

use crate::agent::facts::{OrderFacts, OrderLookup};
use barpel_platform::grpc::{self, TracedChannel};
use barpel_proto::{
    Tenant,
    orders::v1::{LookupOrdersRequest, LookupType, order_service_client::OrderServiceClient},
};
use futures::{FutureExt, future::BoxFuture};
use std::time::Duration;
use tonic::Code;

/// Finds orders for the agent.
pub trait OrderBook: Send + Sync {
    /// By order number if given, else by email. `Err` means the lookup
    /// could not be made (the agent treats it as not found after retries).
    fn lookup(
        &self,
        account_id: &str,
        livemode: bool,
        order_number: Option<&str>,
        email: Option<&str>,
    ) -> BoxFuture<'_, Result<OrderLookup, String>>;
}

/// orders-service over gRPC.
#[derive(Clone)]
pub struct GrpcOrderBook {
    client: OrderServiceClient<TracedChannel>,
}

impl GrpcOrderBook {
    pub fn new(url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            client: OrderServiceClient::new(grpc::channel(url)?),
        })
    }
}

impl OrderBook for GrpcOrderBook {
    fn lookup(
        &self,
        account_id: &str,
        livemode: bool,
        order_number: Option<&str>,
        email: Option<&str>,
    ) -> BoxFuture<'_, Result<OrderLookup, String>> {
        let (query, kind, shown) = match (order_number, email) {
            (Some(number), _) => (
                number.to_owned(),
                LookupType::OrderNumber,
                format!("#{number}"),
            ),
            (None, Some(email)) => (email.to_owned(), LookupType::Email, email.to_owned()),
            (None, None) => {
                return async {
                    Ok(OrderLookup::NotFound {
                        query: String::new(),
                    })
                }
                .boxed();
            }
        };
        let mut request = tonic::Request::new(LookupOrdersRequest {
            tenant: Some(Tenant {
                account_id: account_id.to_owned(),
                livemode,
            }),
            query,
            r#type: kind as i32,
            limit: 1,
            ..Default::default()
        });
        request.set_timeout(Duration::from_secs(5));
        let mut client = self.client.clone();
        async move {
            match client.lookup_orders(request).await {
                Ok(response) => Ok(match response.into_inner().orders.into_iter().next() {
                    Some(order) => OrderLookup::Found(facts(order)),
                    None => OrderLookup::NotFound { query: shown },
                }),
                Err(status) if status.code() == Code::NotFound => {
                    Ok(OrderLookup::NotFound { query: shown })
                }
                Err(status) => Err(status.message().to_owned()),
            }
        }
        .boxed()
    }
}

fn facts(order: barpel_proto::orders::v1::Order) -> OrderFacts {
    let tracking = order.tracking.unwrap_or_default();
    let present = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    OrderFacts {
        number: order.order_number,
        // Proto numbers the statuses from 1 (pending); packs from 0.
        status: (order.status.max(1) - 1) as usize,
        carrier: present(tracking.carrier),
        tracking_number: present(tracking.number),
        estimated_delivery: present(tracking.estimated_delivery),
    }
}
