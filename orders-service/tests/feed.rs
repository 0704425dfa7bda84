//! The order feed against real Postgres: upserts by order number, change
//! detection, the outbox event written with the change, tenancy.

mod common;

use barpel_orders_service::order::Status;
use barpel_platform::ErrorKind;
use barpel_proto::{
    events::v1::event,
    orders::v1::{self as pb, OrderStatus},
};
use common::{Db, row, tenant};

#[tokio::test]
async fn reposting_a_row_is_a_no_op_and_only_status_or_tracking_emit_events() {
    let db = Db::new("orders_feed").await;
    let orders = db.orders();
    let t = tenant(false);
    let first = orders
        .upsert(&t, &row("#1001", OrderStatus::Paid), &[], "")
        .await
        .expect("create");
    assert!(first.created && !first.changed);
    assert_eq!(first.order.order_number, "1001");
    assert_eq!(first.order.phone.as_deref(), Some("+14155551234"));

    let again = orders
        .upsert(&t, &row("1001", OrderStatus::Paid), &[], "")
        .await
        .expect("re-post");
    assert!(!again.created && !again.modified && !again.changed);
    assert_eq!(again.order, first.order, "same id, untouched updated_at");
    assert!(
        db.outbox().await.is_empty(),
        "creation and re-posts emit nothing"
    );

    let mut email = row("1001", OrderStatus::Paid);
    email.email = "jane@new.example".into();
    let renamed = orders.upsert(&t, &email, &[], "").await.expect("email");
    assert!(renamed.modified && !renamed.changed);
    assert!(renamed.order.updated_at > first.order.updated_at);
    assert!(
        db.outbox().await.is_empty(),
        "an email change is not an order.updated"
    );

    let shipped = pb::Order {
        order_number: "#1001".into(),
        status: OrderStatus::Shipped as i32,
        tracking: Some(pb::Tracking {
            carrier: "UPS".into(),
            number: "1Z999AA10123456784".into(),
            estimated_delivery: "2026-03-18".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = orders.upsert(&t, &shipped, &[], "").await.expect("ship");
    assert!(updated.changed);
    assert_eq!(
        updated.order.email.as_deref(),
        Some("jane@new.example"),
        "kept"
    );
    orders.upsert(&t, &shipped, &[], "").await.expect("re-ship");

    let events = db.outbox().await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert!(event.id.starts_with("evt_"));
    assert_eq!(event.r#type, "order.updated");
    assert_eq!(
        (event.account_id.as_str(), event.livemode),
        (t.account_id.as_str(), false)
    );
    let Some(event::Object::Order(order)) = &event.object else {
        panic!("no order in {event:?}");
    };
    assert_eq!(order.id, first.order.id);
    assert_eq!(order.status, OrderStatus::Shipped as i32);
    assert_eq!(
        order
            .tracking
            .as_ref()
            .map(|t| t.estimated_delivery.as_str()),
        Some("2026-03-18")
    );
    db.cleanup().await;
}

#[tokio::test]
async fn concurrent_first_upserts_create_one_order() {
    let db = Db::new("orders_race").await;
    let orders = db.orders();
    let t = tenant(true);
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (orders, t) = (orders.clone(), t.clone());
            let status = if i % 2 == 0 {
                OrderStatus::Paid
            } else {
                OrderStatus::Shipped
            };
            tokio::spawn(async move { orders.upsert(&t, &row("A-77", status), &[], "").await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        ids.insert(task.await.expect("task").expect("upsert").order.id);
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
    db.cleanup().await;
}

#[tokio::test]
async fn order_numbers_are_per_tenant_and_case_insensitive() {
    let db = Db::new("orders_tenancy").await;
    let orders = db.orders();
    let test = tenant(false);
    let live = barpel_orders_service::order::Tenant {
        livemode: true,
        ..test.clone()
    };
    let a = orders
        .upsert(&test, &row("ab-1", OrderStatus::Paid), &[], "")
        .await
        .expect("a");
    let b = orders
        .upsert(&live, &row("ab-1", OrderStatus::Pending), &[], "")
        .await
        .expect("b");
    assert_ne!(a.order.id, b.order.id, "modes are separate worlds");

    let upper = orders
        .upsert(&test, &row("#AB-1", OrderStatus::Delivered), &[], "")
        .await
        .expect("upper");
    assert_eq!(upper.order.id, a.order.id, "AB-1 is ab-1");
    assert_eq!(
        upper.order.order_number, "ab-1",
        "the first spelling is kept"
    );
    assert_eq!(upper.order.status, Status::Delivered);

    let err = orders
        .get(&live, &a.order.id)
        .await
        .expect_err("live sees no test order");
    assert_eq!(err.kind, ErrorKind::NotFound);
    let stranger = tenant(false);
    let err = orders
        .get(&stranger, &a.order.id)
        .await
        .expect_err("stranger");
    assert_eq!(
        (err.kind, err.param.as_deref()),
        (ErrorKind::NotFound, Some("id"))
    );
    let err = orders.get(&test, "ord_nope").await.expect_err("malformed");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(
        orders.get(&test, &a.order.id).await.expect("own").id,
        a.order.id
    );
    db.cleanup().await;
}

#[tokio::test]
async fn invalid_rows_name_their_field_and_write_nothing() {
    let db = Db::new("orders_invalid").await;
    let orders = db.orders();
    let t = tenant(false);
    let cases: Vec<(pb::Order, &str, &str)> = vec![
        (
            pb::Order {
                status: 0,
                ..row("1", OrderStatus::Paid)
            },
            "status",
            "",
        ),
        (
            pb::Order {
                email: "jane".into(),
                ..row("1", OrderStatus::Paid)
            },
            "email",
            "",
        ),
        (
            pb::Order {
                phone: "12".into(),
                ..row("1", OrderStatus::Paid)
            },
            "phone",
            "",
        ),
        (row("1", OrderStatus::Paid), "phone_region", "ZZ"),
        (
            pb::Order {
                currency: "".into(),
                ..row("1", OrderStatus::Paid)
            },
            "currency",
            "",
        ),
        (
            pb::Order {
                total: -5,
                ..row("1", OrderStatus::Paid)
            },
            "total",
            "",
        ),
        (
            pb::Order {
                order_number: "#".into(),
                ..row("1", OrderStatus::Paid)
            },
            "order_number",
            "",
        ),
    ];
    for (order, param, region) in cases {
        let err = orders
            .upsert(&t, &order, &[], region)
            .await
            .expect_err(param);
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{param}");
        assert_eq!(err.param.as_deref(), Some(param), "{err:?}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(count, 0);
    db.cleanup().await;
}
