//! Every backend starts on its own schema, answers the standard gRPC health
//! check, and stops cleanly when asked.

use barpel_platform::{ServiceHandle, Shutdown, testing};
use std::time::Duration;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

async fn serving(handle: &ServiceHandle) -> bool {
    let url = format!("http://{}", handle.addr);
    let Ok(channel) = barpel_platform::grpc::channel(&url) else {
        return false;
    };
    let mut client = HealthClient::new(channel);
    let response = client
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await;
    matches!(response, Ok(r) if r.get_ref().status == ServingStatus::Serving as i32)
}

#[tokio::test]
async fn all_backends_answer_health_checks_and_stop_on_shutdown() {
    let bus = testing::bus("health");
    let shutdown = Shutdown::new();
    let handles = vec![
        barpel_call_service::start(
            barpel_call_service::Config::new(testing::backend("calls", &bus).await),
            shutdown.clone(),
        )
        .await
        .expect("call-service"),
        barpel_orders_service::start(
            barpel_orders_service::Config::new(testing::backend("orders", &bus).await),
            shutdown.clone(),
        )
        .await
        .expect("orders-service"),
        barpel_analytics_service::start(
            barpel_analytics_service::Config::new(testing::backend("analytics", &bus).await),
            shutdown.clone(),
        )
        .await
        .expect("analytics-service"),
        barpel_webhook_dispatcher::start(
            barpel_webhook_dispatcher::Config::new(testing::backend("webhooks", &bus).await),
            shutdown.clone(),
        )
        .await
        .expect("webhook-dispatcher"),
    ];
    for handle in &handles {
        assert!(serving(handle).await, "{} is not serving", handle.name);
    }
    shutdown.cancel();
    for handle in handles {
        let name = handle.name;
        tokio::time::timeout(Duration::from_secs(10), handle.wait())
            .await
            .unwrap_or_else(|_| panic!("{name} did not stop"))
            .unwrap_or_else(|e| panic!("{name} stopped with an error: {e:#}"));
    }
}
