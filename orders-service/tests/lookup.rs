//! Lookups against real Postgres with seeded data: each type, detection,
//! newest first, limits, 404s, and the plans (index scans, never a
//! sequential scan) Postgres picks once it knows the table's size.

mod common;

use barpel_orders_service::{
    lookup::LookupType,
    orders::{LookupRequest, Orders},
    testing,
};
use barpel_platform::ErrorKind;
use barpel_proto::orders::v1::OrderStatus;
use common::{Db, row, tenant};

/// Enough rows that a sequential scan would be the wrong plan.
const SEEDED: i64 = 50_000;

fn request(query: &str, kind: Option<LookupType>) -> LookupRequest {
    LookupRequest {
        query: query.into(),
        kind,
        ..Default::default()
    }
}

#[tokio::test]
async fn lookups_use_indexes_at_scale() {
    let db = Db::new("orders_plans").await;
    let t = tenant(false);
    testing::seed(&db.pool, &t, SEEDED).await.expect("seed");
    // Another tenant with the same synthetic values must not change plans.
    testing::seed(&db.pool, &tenant(false), SEEDED / 5)
        .await
        .expect("seed other");

    let probes = [
        (LookupType::OrderNumber, testing::order_number(4242)),
        (
            LookupType::Email,
            testing::email(4242, SEEDED).to_lowercase(),
        ),
        (LookupType::Phone, testing::phone(4242, SEEDED)),
    ];
    for (kind, value) in probes {
        let plan = testing::explain(&db.pool, &t, kind, &value, 21, false)
            .await
            .expect("explain");
        println!("{kind:?} lookup plan:\n{plan}\n");
        assert!(!plan.contains("Seq Scan"), "{kind:?}:\n{plan}");
        assert!(
            !plan.contains("Sort"),
            "the index gives the order: {kind:?}:\n{plan}"
        );
        assert!(plan.contains("Index Scan"), "{kind:?}:\n{plan}");
        let index = match kind {
            LookupType::OrderNumber => "orders_number",
            LookupType::Email => "orders_email",
            LookupType::Phone => "orders_phone",
        };
        assert!(plan.contains(index), "{kind:?} should use {index}:\n{plan}");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn each_type_matches_newest_first() {
    let db = Db::new("orders_lookup").await;
    let orders = db.orders();
    let t = tenant(false);
    testing::seed(&db.pool, &t, 1_000).await.expect("seed");

    let found = orders
        .lookup(&t, &request("#100007", Some(LookupType::OrderNumber)))
        .await
        .expect("by number");
    assert_eq!(found.orders.len(), 1);
    assert_eq!(found.orders[0].order_number, "100007");

    // Email 7 of 1000 orders (200 emails): orders 7, 207, 407, 607, 807.
    let email = testing::email(7, 1_000).to_uppercase();
    let found = orders
        .lookup(
            &t,
            &LookupRequest {
                limit: 3,
                ..request(&email, None)
            },
        )
        .await
        .expect("by email");
    assert_eq!(found.search.kind, LookupType::Email);
    let numbers: Vec<&str> = found
        .orders
        .iter()
        .map(|o| o.order_number.as_str())
        .collect();
    assert_eq!(numbers, ["100007", "100207", "100407"], "newest first");
    assert!(found.has_more);

    // Phone 7 of 1000 orders (250 phones): orders 7, 257, 507, 757.
    let national = "(415) 200-0007";
    let found = orders
        .lookup(&t, &request(national, None))
        .await
        .expect("by phone");
    assert_eq!(found.search.kind, LookupType::Phone);
    assert_eq!(found.search.value, "+14152000007");
    assert_eq!((found.orders.len(), found.has_more), (4, false));
    assert!(
        found
            .orders
            .windows(2)
            .all(|w| w[0].placed_at >= w[1].placed_at)
    );
    db.cleanup().await;
}

#[tokio::test]
async fn detected_phones_fall_back_to_order_numbers() {
    let db = Db::new("orders_fallback").await;
    let orders = db.orders();
    let t = tenant(false);
    orders
        .upsert(&t, &row("4155550100", OrderStatus::Paid), &[], "")
        .await
        .expect("numeric order number");
    let found = orders
        .lookup(&t, &request("4155550100", None))
        .await
        .expect("found");
    assert_eq!(found.search.kind, LookupType::OrderNumber);

    let err = orders
        .lookup(&t, &request("4155550199", None))
        .await
        .expect_err("nothing");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.param.as_deref(), Some("query"));
    assert_eq!(
        err.message,
        "No orders found with phone number '+14155550199' or order number '4155550199'."
    );
    db.cleanup().await;
}

#[tokio::test]
async fn lookups_are_scoped_and_checked() {
    let db = Db::new("orders_scope").await;
    let orders: Orders = db.orders();
    let t = tenant(false);
    orders
        .upsert(&t, &row("1001", OrderStatus::Paid), &[], "")
        .await
        .expect("order");
    let live = barpel_orders_service::order::Tenant {
        livemode: true,
        ..t.clone()
    };
    for who in [&live, &tenant(false)] {
        let err = orders
            .lookup(who, &request("jane.doe@example.com", None))
            .await
            .expect_err("not theirs");
        assert_eq!(err.kind, ErrorKind::NotFound);
    }
    let bad = [
        (request("", None), "query"),
        (
            LookupRequest {
                limit: 101,
                ..request("1001", None)
            },
            "limit",
        ),
        (request("not a phone", Some(LookupType::Phone)), "query"),
        (
            LookupRequest {
                phone_region: "XX".into(),
                ..request("1001", None)
            },
            "phone_region",
        ),
    ];
    for (req, param) in bad {
        let err = orders.lookup(&t, &req).await.expect_err(param);
        assert_eq!(
            (err.kind, err.param.as_deref()),
            (ErrorKind::InvalidArgument, Some(param))
        );
    }
    db.cleanup().await;
}
