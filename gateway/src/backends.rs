//! The gRPC services behind the gateway, and the one way routes call them:
//! with the request's deadline, and with failures mapped to API errors.

use crate::{config::BackendUrls, http::error::ApiError, keys::Principal};
use barpel_platform::{
    ErrorKind, ServiceError,
    grpc::{self, TracedChannel},
};
use barpel_proto::{
    Tenant, analytics::v1::analytics_service_client::AnalyticsServiceClient,
    calls::v1::call_service_client::CallServiceClient,
    orders::v1::order_service_client::OrderServiceClient,
    webhooks::v1::webhook_service_client::WebhookServiceClient,
};
use std::{future::Future, time::Duration};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// Clients of every backend. Cheap to clone: channels are shared.
#[derive(Clone)]
pub struct Backends {
    pub calls: CallServiceClient<TracedChannel>,
    pub orders: OrderServiceClient<TracedChannel>,
    pub analytics: AnalyticsServiceClient<TracedChannel>,
    pub webhooks: WebhookServiceClient<TracedChannel>,
    health: Vec<(&'static str, HealthClient<TracedChannel>)>,
    timeout: Duration,
}

impl Backends {
    /// Lazily-connected clients: a backend that is down fails its requests
    /// (503), not the gateway's start-up.
    pub fn new(urls: &BackendUrls, timeout: Duration) -> anyhow::Result<Self> {
        let calls = grpc::channel(&urls.calls)?;
        let orders = grpc::channel(&urls.orders)?;
        let analytics = grpc::channel(&urls.analytics)?;
        let webhooks = grpc::channel(&urls.webhooks)?;
        Ok(Self {
            health: vec![
                ("call-service", HealthClient::new(calls.clone())),
                ("orders-service", HealthClient::new(orders.clone())),
                ("analytics-service", HealthClient::new(analytics.clone())),
                ("webhook-dispatcher", HealthClient::new(webhooks.clone())),
            ],
            calls: CallServiceClient::new(calls),
            orders: OrderServiceClient::new(orders),
            analytics: AnalyticsServiceClient::new(analytics),
            webhooks: WebhookServiceClient::new(webhooks),
            timeout,
        })
    }

    /// A request carrying the deadline (`grpc-timeout`), so the backend
    /// stops working on it when the gateway stops waiting.
    pub fn request<M>(&self, message: M) -> tonic::Request<M> {
        let mut request = tonic::Request::new(message);
        request.set_timeout(self.timeout);
        request
    }

    /// Awaits a backend call within the deadline.
    pub async fn call<T>(
        &self,
        call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, ApiError> {
        let timed_out = || {
            ServiceError::new(
                ErrorKind::DeadlineExceeded,
                "timeout",
                "The request took too long to complete; it may still finish. Retry with the same Idempotency-Key.",
            )
        };
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(response)) => Ok(response.into_inner()),
            Ok(Err(status)) => {
                let error = grpc::error_from_status(&status);
                Err(if error.kind == ErrorKind::DeadlineExceeded {
                    timed_out()
                } else {
                    error
                }
                .into())
            }
            Err(_) => Err(timed_out().into()),
        }
    }

    /// Each backend's health (`None` = serving), for `/readyz`.
    pub async fn health(&self) -> Vec<(&'static str, Option<String>)> {
        let checks = self.health.iter().map(|(name, client)| async move {
            let mut client = client.clone();
            let check = client.check(self.request(HealthCheckRequest {
                service: String::new(),
            }));
            let problem = match tokio::time::timeout(Duration::from_secs(2), check).await {
                Ok(Ok(r)) if r.get_ref().status == ServingStatus::Serving as i32 => None,
                Ok(Ok(r)) => Some(format!("status {}", r.get_ref().status)),
                Ok(Err(status)) => Some(status.message().to_owned()),
                Err(_) => Some("timed out".to_owned()),
            };
            (*name, problem)
        });
        futures::future::join_all(checks).await
    }
}

/// The tenant a principal acts as, for every backend request.
pub fn tenant(principal: &Principal) -> Option<Tenant> {
    Some(Tenant {
        account_id: principal.account_id.clone(),
        livemode: principal.livemode,
    })
}
