//! The gRPC contract as call-service and the gateway use it: tenant in
//! every request, NOT_FOUND and INVALID_ARGUMENT statuses carrying
//! `ErrorInfo`, health, and `order.updated` reaching the bus through the
//! outbox relay.

mod common;

use barpel_orders_service::Config;
use barpel_platform::{Shutdown, bus::Bus, grpc, testing};
use barpel_proto::{
    ErrorInfo, Tenant,
    events::v1::{Event, event},
    orders::v1::{
        GetOrderRequest, LookupOrdersRequest, LookupType, OrderStatus, UpsertOrderRequest,
        order_service_client::OrderServiceClient,
    },
};
use common::row;
use prost::Message;
use std::time::Duration;
use tonic::Code;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

fn error_info(status: &tonic::Status) -> ErrorInfo {
    ErrorInfo::decode(status.details()).expect("ErrorInfo in details")
}

#[tokio::test]
async fn the_contract_over_grpc() {
    let bus_config = testing::bus("orders_grpc");
    let shutdown = Shutdown::new();
    let backend = testing::backend("orders_grpc", &bus_config).await;
    let service = barpel_orders_service::start(Config::new(backend), shutdown.clone())
        .await
        .expect("start");
    let channel = grpc::channel(&format!("http://{}", service.addr)).expect("channel");
    let mut client = OrderServiceClient::new(channel.clone());
    let tenant = Some(Tenant {
        account_id: barpel_platform::ids::new_id("acct"),
        livemode: false,
    });

    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "barpel.orders.v1.OrderService".into(),
        })
        .await
        .expect("health");
    assert_eq!(health.get_ref().status, ServingStatus::Serving as i32);

    // Nothing yet: NOT_FOUND with ErrorInfo, and a message saying what was searched.
    let lookup = |query: &str| LookupOrdersRequest {
        tenant: tenant.clone(),
        query: query.into(),
        r#type: LookupType::Email as i32,
        ..Default::default()
    };
    let status = client
        .lookup_orders(lookup("jane.doe@example.com"))
        .await
        .expect_err("nothing yet");
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(error_info(&status).code, "resource_missing");
    assert_eq!(error_info(&status).param, "query");
    assert!(
        status.message().contains("email 'jane.doe@example.com'"),
        "{}",
        status.message()
    );

    let created = client
        .upsert_order(UpsertOrderRequest {
            tenant: tenant.clone(),
            order: Some(row("#1001", OrderStatus::Paid)),
            ..Default::default()
        })
        .await
        .expect("upsert")
        .into_inner();
    assert!(created.created && !created.changed);
    let order = created.order.expect("order");

    let found = client
        .lookup_orders(lookup("JANE.DOE@example.com"))
        .await
        .expect("lookup")
        .into_inner();
    assert_eq!(found.r#type, LookupType::Email as i32);
    assert_eq!(found.orders.len(), 1);
    assert_eq!(found.orders[0].id, order.id);

    let got = client
        .get_order(GetOrderRequest {
            tenant: tenant.clone(),
            id: order.id.clone(),
        })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(got, order);

    // A status change: answered as changed, and relayed to the bus.
    let shipped = client
        .upsert_order(UpsertOrderRequest {
            tenant: tenant.clone(),
            order: Some(barpel_proto::orders::v1::Order {
                order_number: "1001".into(),
                status: OrderStatus::Shipped as i32,
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["status".into(), "phone".into()],
            }),
            ..Default::default()
        })
        .await
        .expect("ship")
        .into_inner();
    assert!(shipped.changed);
    let shipped = shipped.order.expect("order");
    assert_eq!(shipped.phone, "", "a listed empty field is cleared");
    assert_eq!(shipped.email, order.email, "an unlisted field is kept");

    let bus = Bus::connect(bus_config.clone()).await.expect("bus");
    let event = relayed(&bus).await;
    assert_eq!(event.r#type, "order.updated");
    let Some(event::Object::Order(object)) = event.object else {
        panic!("no order");
    };
    assert_eq!(object, shipped);

    // Contract errors.
    let status = client
        .get_order(GetOrderRequest {
            tenant: None,
            id: order.id.clone(),
        })
        .await
        .expect_err("no tenant");
    assert_eq!(
        (status.code(), error_info(&status).param.as_str()),
        (Code::InvalidArgument, "tenant")
    );
    let status = client
        .lookup_orders(LookupOrdersRequest {
            r#type: 9,
            ..lookup("1001")
        })
        .await
        .expect_err("unknown type");
    assert_eq!(
        (status.code(), error_info(&status).param.as_str()),
        (Code::InvalidArgument, "type")
    );
    let status = client
        .get_order(GetOrderRequest {
            tenant: Some(Tenant {
                livemode: true,
                ..tenant.clone().unwrap_or_default()
            }),
            id: order.id.clone(),
        })
        .await
        .expect_err("live mode sees no test order");
    assert_eq!(status.code(), Code::NotFound);

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), service.wait())
        .await
        .expect("stops")
        .expect("cleanly");
    let _ = bus.delete_stream().await;
}

/// The first message on `<prefix>.order.updated`, once the relay sent it.
async fn relayed(bus: &Bus) -> Event {
    let stream = bus
        .jetstream()
        .get_stream(&bus.config().stream)
        .await
        .expect("stream");
    let subject = bus.config().subject("order.updated");
    testing::eventually("order.updated on the bus", Duration::from_secs(10), || {
        let (stream, subject) = (stream.clone(), subject.clone());
        async move {
            let message = stream
                .get_last_raw_message_by_subject(&subject)
                .await
                .ok()?;
            let event = Event::decode(message.payload).ok()?;
            let id = message.headers.get("Nats-Msg-Id").map(|v| v.to_string());
            assert_eq!(id.as_deref(), Some(event.id.as_str()));
            Some(event)
        }
    })
    .await
}
