#![allow(dead_code)]
//! A schema of the test's own, migrated as the service migrates it, and
//! helpers to build feed rows and read the outbox.

use barpel_orders_service::{MIGRATOR, order::Tenant, orders::Orders};
use barpel_platform::{ids, service, testing};
use barpel_proto::{
    events::v1::Event,
    orders::v1::{self as pb, OrderStatus},
};
use prost::Message;
use sqlx::PgPool;

pub struct Db {
    pub pool: PgPool,
    pub schema: String,
}

impl Db {
    pub async fn new(hint: &str) -> Self {
        let database = testing::database(hint).await;
        let pool = service::migrate(&database, &MIGRATOR)
            .await
            .expect("migrate");
        Self {
            pool,
            schema: database.schema,
        }
    }

    pub fn orders(&self) -> Orders {
        Orders::new(self.pool.clone(), "US".into())
    }

    /// Every event written to the outbox, oldest first.
    pub async fn outbox(&self) -> Vec<Event> {
        let payloads: Vec<Vec<u8>> = sqlx::query_scalar("SELECT payload FROM outbox ORDER BY seq")
            .fetch_all(&self.pool)
            .await
            .expect("outbox");
        payloads
            .iter()
            .map(|p| Event::decode(p.as_slice()).expect("event"))
            .collect()
    }

    pub async fn cleanup(self) {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA \"{}\" CASCADE",
            self.schema
        )))
        .execute(&self.pool)
        .await;
    }
}

/// A tenant no other test uses.
pub fn tenant(livemode: bool) -> Tenant {
    Tenant {
        account_id: ids::new_id("acct"),
        livemode,
    }
}

/// A full feed row.
pub fn row(number: &str, status: OrderStatus) -> pb::Order {
    pb::Order {
        order_number: number.into(),
        email: "Jane.Doe@Example.com".into(),
        phone: "(415) 555-1234".into(),
        status: status as i32,
        currency: "usd".into(),
        line_items: vec![pb::LineItem {
            name: "Blue Running Shoes".into(),
            sku: "SH-42".into(),
            quantity: 1,
            unit_price: 8999,
        }],
        customer_name: "Jane Doe".into(),
        ..Default::default()
    }
}
