use super::*;
use barpel_proto::orders::v1::OrderStatus;

fn tenant() -> Tenant {
    Tenant {
        account_id: "acct_1".into(),
        livemode: false,
    }
}

fn row() -> pb::Order {
    pb::Order {
        order_number: "#1001".into(),
        email: "Jane@Example.com".into(),
        phone: "(415) 555-1234".into(),
        status: OrderStatus::Paid as i32,
        currency: "USD".into(),
        line_items: vec![pb::LineItem {
            name: "Blue Running Shoes".into(),
            sku: "SH-42".into(),
            quantity: 2,
            unit_price: 4500,
        }],
        ..Default::default()
    }
}

fn patch(order: &pb::Order, mask: &[&str]) -> OrderPatch {
    let mask: Vec<String> = mask.iter().map(|s| s.to_string()).collect();
    OrderPatch::from_proto(order, &mask, "US").expect("valid row")
}

fn create() -> Order {
    patch(&row(), &[])
        .apply(None, &tenant(), micros(Utc::now()))
        .expect("created")
        .order
}

#[test]
fn a_new_order_is_normalised() {
    let order = create();
    assert!(order.id.starts_with("ord_"));
    assert_eq!(order.order_number, "1001");
    assert_eq!(order.email.as_deref(), Some("Jane@Example.com"));
    assert_eq!(order.phone.as_deref(), Some("+14155551234"));
    assert_eq!(order.currency.as_deref(), Some("usd"));
    assert_eq!(order.amounts(), (9000, 9000));
    assert_eq!(order.placed_at, order.created_at);
}

#[test]
fn reposting_the_same_row_modifies_nothing() {
    let stored = create();
    let again = patch(&row(), &[])
        .apply(Some(&stored), &tenant(), micros(Utc::now()))
        .expect("applied");
    assert!(!again.created && !again.modified && !again.changed);
    assert_eq!(again.order, stored);
}

#[test]
fn only_status_and_tracking_changes_are_events() {
    let stored = create();
    let email = pb::Order {
        order_number: "1001".into(),
        email: "jane@new.example".into(),
        ..Default::default()
    };
    let applied = patch(&email, &[]).apply(Some(&stored), &tenant(), micros(Utc::now()));
    let applied = applied.expect("applied");
    assert!(applied.modified && !applied.changed);
    assert_eq!(
        applied.order.phone, stored.phone,
        "unmentioned fields are kept"
    );

    let shipped = pb::Order {
        order_number: "1001".into(),
        tracking: Some(pb::Tracking {
            carrier: "UPS".into(),
            number: "1Z999".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let applied = patch(&shipped, &[]).apply(Some(&stored), &tenant(), micros(Utc::now()));
    assert!(applied.expect("applied").changed);
}

#[test]
fn a_mask_clears_what_it_lists_empty() {
    let stored = create();
    let cleared = pb::Order {
        order_number: "1001".into(),
        ..Default::default()
    };
    let applied = patch(&cleared, &["phone", "email"])
        .apply(Some(&stored), &tenant(), micros(Utc::now()))
        .expect("applied");
    assert_eq!((applied.order.email, applied.order.phone), (None, None));
    assert_eq!(applied.order.status, Status::Paid);

    let err = patch(&cleared, &["currency"]).apply(Some(&stored), &tenant(), Utc::now());
    assert_eq!(err.map_err(|e| e.param), Err(Some("currency".into())));
}

#[test]
fn creating_needs_a_status_and_known_fields() {
    let mut no_status = row();
    no_status.status = 0;
    let err = patch(&no_status, &[]).apply(None, &tenant(), Utc::now());
    assert_eq!(
        err.map_err(|e| (e.code.into_owned(), e.param)),
        Err(("parameter_missing".into(), Some("status".into())))
    );
    let err = OrderPatch::from_proto(&row(), &["colour".into()], "US");
    assert_eq!(err.map_err(|e| e.param), Err(Some("update_mask".into())));
    let err = OrderPatch::from_proto(&row(), &["status".into()], "US").and(Ok(()));
    assert!(err.is_ok());
    let mut bad = row();
    bad.status = 0;
    let err = OrderPatch::from_proto(&bad, &["status".into()], "US");
    assert_eq!(err.map_err(|e| e.param), Err(Some("status".into())));
}
