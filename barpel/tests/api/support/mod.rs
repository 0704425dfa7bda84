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
        let orders = barpel_orders_service::start(
            barpel_orders_service::Config::new(testing::backend("orders", &bus_config).await),
            shutdown.clone(),
        )
        .await
        .expect("orders-service");
        let mut calls_config =
            barpel_call_service::Config::new(testing::backend("calls", &bus_config).await);
        calls_config.orders_url = format!("http://{}", orders.addr);
        (options.calls)(&mut calls_config);
        let calls = barpel_call_service::start(calls_config.clone(), shutdown.clone())
            .await
            .expect("call-service");
        let analytics = barpel_analytics_service::start(
            barpel_analytics_service::Config::new(testing::backend("analytics", &bus_config).await),
            shutdown.clone(),
        )
        .await
        .expect("analytics-service");
        let webhooks = barpel_webhook_dispatcher::start(
            barpel_webhook_dispatcher::Config::new(testing::backend("webhooks", &bus_config).await),
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
        Self {
            base: format!("http://{}", gateway.addr),
            http: reqwest::Client::new(),
            gateway_db,
            bus: Bus::connect(bus_config).await.expect("bus"),
            gateway_config,
            calls_config,
            shutdown,
            handles: vec![gateway, calls, orders, analytics, webhooks],
        }
    }

    /// A new account on `plan` with a test and a live key.
    pub async fn account(&self, plan: Plan) -> TestAccount {
        let custom = (plan == Plan::Enterprise).then_some(Limits {
            per_minute: 100_000,
            per_second: 10_000,
        });
        let account =
            store::create_account(&self.gateway_db, &testing::unique("acct"), plan, custom)
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

    /// Stops everything and waits for it.
    pub async fn stop(self) {
        self.shutdown.cancel();
        for handle in self.handles {
            let _ = tokio::time::timeout(Duration::from_secs(10), handle.wait()).await;
        }
        let _ = self.bus.delete_stream().await;
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
