#![allow(dead_code)]
//! The test harness: every test boots the whole platform in-process on
//! ephemeral ports, with its own schemas, its own JetStream stream and
//! subject prefix, and its own Redis key prefix, then acts as a user over
//! HTTP.

use barpel_gateway::keys::{Limits, Plan, store};
use barpel_platform::{
    ServiceHandle, Shutdown,
    bus::{Bus, BusConfig},
    testing,
};
use reqwest::{RequestBuilder, StatusCode, header::HeaderMap};
use serde_json::Value;
use sqlx::PgPool;
use std::time::Duration;

/// Knobs a test may turn before the platform starts.
pub struct Options {
    pub gateway: Box<dyn FnOnce(&mut barpel_gateway::Config) + Send>,
    pub calls: Box<dyn FnOnce(&mut barpel_call_service::Config) + Send>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            gateway: Box::new(|_| {}),
            calls: Box::new(|_| {}),
        }
    }
}

/// The running platform.
pub struct TestApp {
    /// `http://127.0.0.1:<port>` of the gateway.
    pub base: String,
    pub http: reqwest::Client,
    /// The gateway's schema (accounts and keys).
    pub gateway_db: PgPool,
    /// The private event stream every service publishes to.
    pub bus: Bus,
    pub gateway_config: barpel_gateway::Config,
    pub calls_config: barpel_call_service::Config,
    shutdown: Shutdown,
    handles: Vec<ServiceHandle>,
    /// The schemas this app created, dropped by `stop`.
    schemas: Vec<String>,
}

/// An account with a test key and a live key.
pub struct TestAccount {
    pub id: String,
    pub test_key: String,
    pub live_key: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let bus_config = testing::bus("api");
        let shutdown = Shutdown::new();
        let orders_backend = testing::backend("orders", &bus_config).await;
        let analytics_backend = testing::backend("analytics", &bus_config).await;
        let webhooks_backend = testing::backend("webhooks", &bus_config).await;
        let mut schemas = vec![
            orders_backend.database.schema.clone(),
            analytics_backend.database.schema.clone(),
            webhooks_backend.database.schema.clone(),
        ];
        let orders = barpel_orders_service::start(
            barpel_orders_service::Config::new(orders_backend),
            shutdown.clone(),
        )
        .await
        .expect("orders-service");
        let mut calls_config =
            barpel_call_service::Config::new(testing::backend("calls", &bus_config).await);
        calls_config.orders_url = format!("http://{}", orders.addr);
        // Fast simulated calls: a 90-second conversation in about 0.2 s.
        calls_config.simulation_speed = 400.0;
        calls_config.poll = Duration::from_millis(50);
        calls_config.lease = Duration::from_secs(2);
        calls_config.drain = Duration::from_millis(500);
        calls_config.worker_db_connections = 4;
        (options.calls)(&mut calls_config);
        let calls = barpel_call_service::start(calls_config.clone(), shutdown.clone())
            .await
            .expect("call-service");
        let analytics = barpel_analytics_service::start(
            barpel_analytics_service::Config::new(analytics_backend),
            shutdown.clone(),
        )
        .await
        .expect("analytics-service");
        let webhooks = barpel_webhook_dispatcher::start(
            barpel_webhook_dispatcher::Config::new(webhooks_backend),
            shutdown.clone(),
        )
        .await
        .expect("webhook-dispatcher");
        let mut gateway_config = gateway_config(&calls, &orders, &analytics, &webhooks).await;
        (options.gateway)(&mut gateway_config);
        let gateway = barpel_gateway::start(gateway_config.clone(), shutdown.clone())
            .await
            .expect("gateway");
        let gateway_db = barpel_gateway::connect_and_migrate(&gateway_config.database)
            .await
            .expect("gateway db");
        schemas.push(calls_config.backend.database.schema.clone());
        schemas.push(gateway_config.database.schema.clone());
        Self {
            base: format!("http://{}", gateway.addr),
            http: reqwest::Client::new(),
            gateway_db,
            bus: Bus::connect(bus_config).await.expect("bus"),
            gateway_config,
            calls_config,
            shutdown,
            handles: vec![gateway, calls, orders, analytics, webhooks],
            schemas,
        }
    }

    /// A new account on `plan` with a test and a live key.
    pub async fn account(&self, plan: Plan) -> TestAccount {
        let custom = (plan == Plan::Enterprise).then_some(Limits {
            per_minute: 100_000,
            per_second: 10_000,
        });
        self.account_with(plan, custom).await
    }

    /// An enterprise account with its own limits, and a test and a live key.
    pub async fn enterprise_account(&self, limits: Limits) -> TestAccount {
        self.account_with(Plan::Enterprise, Some(limits)).await
    }

    async fn account_with(&self, plan: Plan, custom: Option<Limits>) -> TestAccount {
        let name = testing::unique("acct");
        let account = store::create_account(&self.gateway_db, &name, plan, custom)
            .await
            .expect("account");
        let (_, test_key) = store::create_key(&self.gateway_db, &account.id, false)
            .await
            .expect("test key");
        let (_, live_key) = store::create_key(&self.gateway_db, &account.id, true)
            .await
            .expect("live key");
        TestAccount {
            id: account.id,
            test_key,
            live_key,
        }
    }

    /// Starts one more gateway replica with the same configuration (same
    /// database, Redis and key prefix, so the same shared limits) and
    /// returns its base URL. It stops with the rest.
    pub async fn second_gateway(&mut self) -> String {
        let gateway = barpel_gateway::start(self.gateway_config.clone(), self.shutdown.clone())
            .await
            .expect("second gateway");
        let base = format!("http://{}", gateway.addr);
        self.handles.insert(0, gateway);
        base
    }

    pub fn get(&self, key: &str, path: &str) -> RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    pub fn post(&self, key: &str, path: &str, body: &Value) -> RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .bearer_auth(key)
            .json(body)
    }

    /// Kills one service abruptly, as a crash would (`call-service`,
    /// `orders-service`, …).
    pub fn kill(&self, name: &str) {
        for handle in self.handles.iter().filter(|h| h.name == name) {
            handle.abort();
        }
    }

    /// Stops everything and waits for it.
    pub async fn stop(self) {
        self.shutdown.cancel();
        for handle in self.handles {
            let _ = tokio::time::timeout(Duration::from_secs(10), handle.wait()).await;
        }
        let _ = self.bus.delete_stream().await;
        // Every schema lives in the shared test database: drop them, so
        // runs do not pile up. (A failed test leaves its own behind.)
        for schema in &self.schemas {
            let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                .execute(&self.gateway_db)
                .await;
        }
    }
}

async fn gateway_config(
    calls: &ServiceHandle,
    orders: &ServiceHandle,
    analytics: &ServiceHandle,
    webhooks: &ServiceHandle,
) -> barpel_gateway::Config {
    let env = barpel_platform::config::Env::from_pairs([]);
    let mut config = barpel_gateway::Config::from_env(&env).expect("defaults");
    config.listen = testing::any_port();
    config.database = testing::database("gateway").await;
    config.redis_url = testing::redis_url();
    config.redis_prefix = format!("{}:", testing::unique("redis"));
    config.backends.calls = format!("http://{}", calls.addr);
    config.backends.orders = format!("http://{}", orders.addr);
    config.backends.analytics = format!("http://{}", analytics.addr);
    config.backends.webhooks = format!("http://{}", webhooks.addr);
    config
}

impl TestApp {
    /// Polls a call until `done` says so (or panics after 30 s).
    pub async fn wait_for_call(&self, key: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (status, _, call) = send(self.get(key, &format!("/v1/calls/{id}"))).await;
            assert_eq!(status, StatusCode::OK, "{call}");
            if done(&call) {
                return call;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "call never got there: {call}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Polls a call until it has ended.
    pub async fn wait_until_ended(&self, key: &str, id: &str) -> Value {
        self.wait_for_call(key, id, |c| {
            !matches!(
                c["status"].as_str(),
                Some("queued" | "ringing" | "in_progress")
            )
        })
        .await
    }

    /// Every event in the private stream so far, in order.
    pub async fn events(&self) -> Vec<barpel_proto::events::v1::Event> {
        use prost::Message;
        let stream = self
            .bus
            .jetstream()
            .get_stream(&self.bus.config().stream)
            .await
            .expect("stream");
        let last = stream
            .get_info()
            .await
            .map(|i| i.state.last_sequence)
            .unwrap_or(0);
        let mut events = Vec::new();
        for seq in 1..=last {
            if let Ok(message) = stream.get_raw_message(seq).await {
                events
                    .push(barpel_proto::events::v1::Event::decode(message.payload).expect("event"));
            }
        }
        events
    }

    /// The types of the events about one call, in order (waits briefly for
    /// the outbox relay to publish them).
    pub async fn call_events(&self, call_id: &str, expected: usize) -> Vec<(String, String)> {
        use barpel_proto::events::v1::event::Object;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found: Vec<(String, String)> = self
                .events()
                .await
                .into_iter()
                .filter(|e| matches!(&e.object, Some(Object::Call(c)) if c.id == call_id))
                .map(|e| (e.r#type, e.id))
                .collect();
            if found.len() >= expected || tokio::time::Instant::now() > deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Sends a request and returns its status, headers and JSON body (Null if
/// the body is not JSON).
pub async fn send(request: RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

/// Asserts the error shape and returns `(type, code, param)`.
pub fn error_of(body: &Value) -> (String, String, Option<String>) {
    let error = &body["error"];
    assert!(error.is_object(), "not an error body: {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        error["request_id"].as_str().is_some_and(|r| !r.is_empty()),
        "{body}"
    );
    (
        error["type"].as_str().unwrap_or_default().to_owned(),
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["param"].as_str().map(str::to_owned),
    )
}

/// Shorthand for the test config struct's `BusConfig`.
#[allow(dead_code)]
pub fn bus_config(app: &TestApp) -> &BusConfig {
    app.bus.config()
}
