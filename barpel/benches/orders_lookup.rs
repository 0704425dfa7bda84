//! Order lookup latency at a million orders.
//!
//! Starts orders-service and the gateway in-process (own schemas, stream and
//! Redis prefix, as the API tests do), seeds 1,000,000 orders for one
//! account with one server-side `INSERT … SELECT generate_series` into the
//! orders schema (see `barpel_orders_service::testing::seed`), `ANALYZE`s,
//! prints the plan of each lookup statement, then times sequential lookups
//! of random existing orders through the gateway (HTTP) and directly over
//! gRPC, for each lookup type and for a detected phone number.
//!
//! ```sh
//! cargo bench -p barpel --bench orders_lookup
//! ORDERS_BENCH_ROWS=200000 ORDERS_BENCH_SAMPLES=500 cargo bench -p barpel --bench orders_lookup
//! ```
//!
//! Needs the local Postgres, NATS and Redis, like the tests.

use barpel_gateway::keys::{Limits, Plan, store};
use barpel_orders_service::{lookup::LookupType, order::Tenant, testing as seed};
use barpel_platform::{ServiceHandle, Shutdown, config::Env, db, grpc, testing};
use barpel_proto::orders::v1::{
    LookupOrdersRequest, LookupType as PbLookupType, order_service_client::OrderServiceClient,
};
use std::time::{Duration, Instant};

/// Requests per case after warm-up, and warm-up requests.
const WARM_UP: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows = env_number("ORDERS_BENCH_ROWS", 1_000_000);
    let samples = env_number("ORDERS_BENCH_SAMPLES", 2_000) as usize;
    let shutdown = Shutdown::new();
    let bus = testing::bus("orders_bench");
    let backend = testing::backend("orders_bench", &bus).await;
    let orders_db = backend.database.clone();
    let orders = barpel_orders_service::start(
        barpel_orders_service::Config::new(backend),
        shutdown.clone(),
    )
    .await?;
    let (gateway, gateway_db) = start_gateway(&orders, &shutdown).await?;
    let (account_id, key) = account(&gateway_db.0).await?;
    let tenant = Tenant {
        account_id,
        livemode: false,
    };

    let pool = db::connect(&orders_db).await?;
    let started = Instant::now();
    seed::seed(&pool, &tenant, rows).await?;
    println!(
        "seeded {rows} orders for one account in {:.1} s (generate_series INSERT, then ANALYZE)\n",
        started.elapsed().as_secs_f64()
    );
    print_plans(&pool, &tenant, rows).await?;

    let bench = Bench {
        http: reqwest::Client::new(),
        base: format!("http://{}", gateway.addr),
        key,
        grpc: OrderServiceClient::new(grpc::channel(&format!("http://{}", orders.addr))?),
        tenant,
        rows,
    };
    println!(
        "lookup latency, {samples} sequential lookups of random orders per row (after {WARM_UP} warm-up):\n"
    );
    println!(
        "{:<28} {:>6} {:>10} {:>10} {:>10}",
        "case", "via", "p50 ms", "p99 ms", "mean ms"
    );
    for case in Case::ALL {
        for via in [Via::Http, Via::Grpc] {
            let stats = bench.run(case, via, samples).await?;
            println!(
                "{:<28} {:>6} {:>10.3} {:>10.3} {:>10.3}",
                case.name(),
                via.name(),
                stats.0,
                stats.1,
                stats.2
            );
        }
    }

    drop(bench); // its connections would hold up the servers' drain
    shutdown.cancel();
    for handle in [gateway, orders] {
        let _ = tokio::time::timeout(Duration::from_secs(10), handle.wait()).await;
    }
    for (url_pool, schema) in [(&pool, &orders_db.schema), (&gateway_db.0, &gateway_db.1)] {
        let drop = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(url_pool)
            .await;
    }
    if let Ok(bus) = barpel_platform::bus::Bus::connect(bus).await {
        let _ = bus.delete_stream().await;
    }
    Ok(())
}

fn env_number(var: &str, default: i64) -> i64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The gateway in front of `orders` (the other backends are never called),
/// and its schema's pool and name.
async fn start_gateway(
    orders: &ServiceHandle,
    shutdown: &Shutdown,
) -> anyhow::Result<(ServiceHandle, (sqlx::PgPool, String))> {
    let mut config = barpel_gateway::Config::from_env(&Env::from_pairs([]))?;
    config.listen = testing::any_port();
    config.database = testing::database("gateway_bench").await;
    config.redis_url = testing::redis_url();
    config.redis_prefix = format!("{}:", testing::unique("bench"));
    let url = format!("http://{}", orders.addr);
    config.backends.orders = url.clone();
    config.backends.calls = url.clone();
    config.backends.analytics = url.clone();
    config.backends.webhooks = url;
    let gateway = barpel_gateway::start(config.clone(), shutdown.clone()).await?;
    let pool = barpel_gateway::connect_and_migrate(&config.database).await?;
    Ok((gateway, (pool, config.database.schema)))
}

/// An account whose limits never throttle the benchmark, and its test key.
async fn account(pool: &sqlx::PgPool) -> anyhow::Result<(String, String)> {
    let limits = Limits {
        per_minute: 10_000_000,
        per_second: 1_000_000,
    };
    let account = store::create_account(
        pool,
        &testing::unique("bench"),
        Plan::Enterprise,
        Some(limits),
    )
    .await?;
    let (_, key) = store::create_key(pool, &account.id, false).await?;
    Ok((account.id, key))
}

async fn print_plans(pool: &sqlx::PgPool, tenant: &Tenant, rows: i64) -> anyhow::Result<()> {
    let i = rows / 3;
    let probes = [
        (LookupType::OrderNumber, seed::order_number(i)),
        (LookupType::Email, seed::email(i, rows).to_lowercase()),
        (LookupType::Phone, seed::phone(i, rows)),
    ];
    for (kind, value) in probes {
        let plan = seed::explain(pool, tenant, kind, &value, 21, true).await?;
        println!("EXPLAIN (ANALYZE, BUFFERS) {kind:?} lookup at {rows} orders:\n{plan}\n");
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Case {
    OrderNumber,
    Email,
    Phone,
    DetectedPhone,
}

impl Case {
    const ALL: [Case; 4] = [
        Case::OrderNumber,
        Case::Email,
        Case::Phone,
        Case::DetectedPhone,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::OrderNumber => "type=order_number",
            Case::Email => "type=email",
            Case::Phone => "type=phone (E.164)",
            Case::DetectedPhone => "detected (415) 2xx-xxxx",
        }
    }

    /// The query for synthetic order `i` and its type (`None`: detect).
    fn query(self, i: i64, rows: i64) -> (String, Option<PbLookupType>) {
        match self {
            Case::OrderNumber => (seed::order_number(i), Some(PbLookupType::OrderNumber)),
            Case::Email => (
                seed::email(i, rows).to_lowercase(),
                Some(PbLookupType::Email),
            ),
            Case::Phone => (seed::phone(i, rows), Some(PbLookupType::Phone)),
            Case::DetectedPhone => {
                let digits = &seed::phone(i, rows)[2..];
                (
                    format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..]),
                    None,
                )
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Via {
    Http,
    Grpc,
}

impl Via {
    fn name(self) -> &'static str {
        match self {
            Via::Http => "HTTP",
            Via::Grpc => "gRPC",
        }
    }
}

struct Bench {
    http: reqwest::Client,
    base: String,
    key: String,
    grpc: OrderServiceClient<grpc::TracedChannel>,
    tenant: Tenant,
    rows: i64,
}

impl Bench {
    /// `(p50, p99, mean)` in milliseconds.
    async fn run(&self, case: Case, via: Via, samples: usize) -> anyhow::Result<(f64, f64, f64)> {
        let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut times = Vec::with_capacity(samples);
        for n in 0..WARM_UP + samples {
            let i = 1 + (random.next() % self.rows as u64) as i64;
            let (query, kind) = case.query(i, self.rows);
            let started = Instant::now();
            match via {
                Via::Http => self.http_lookup(&query, kind).await?,
                Via::Grpc => self.grpc_lookup(&query, kind).await?,
            }
            if n >= WARM_UP {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        Ok((at(0.50), at(0.99), mean))
    }

    async fn http_lookup(&self, query: &str, kind: Option<PbLookupType>) -> anyhow::Result<()> {
        let mut url = format!("{}/v1/orders/lookup?query={}", self.base, encode(query));
        if let Some(kind) = kind {
            url.push_str(&format!(
                "&type={}",
                kind.as_str_name()
                    .trim_start_matches("LOOKUP_TYPE_")
                    .to_lowercase()
            ));
        }
        let response = self.http.get(&url).bearer_auth(&self.key).send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.bytes().await?;
        Ok(())
    }

    async fn grpc_lookup(&self, query: &str, kind: Option<PbLookupType>) -> anyhow::Result<()> {
        let mut client = self.grpc.clone();
        client
            .lookup_orders(LookupOrdersRequest {
                tenant: Some(barpel_proto::Tenant {
                    account_id: self.tenant.account_id.clone(),
                    livemode: self.tenant.livemode,
                }),
                query: query.to_owned(),
                r#type: kind.map_or(0, |k| k as i32),
                ..Default::default()
            })
            .await?;
        Ok(())
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A tiny deterministic generator, so every run probes the same orders.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
