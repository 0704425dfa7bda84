//! 10,000 test calls through the API.
//!
//! Reports how many calls per second the API accepts (POST /v1/calls with
//! 64 concurrent clients), the time until every call has completed, how
//! many ran at once, and the peak RSS of call-service — which runs as its
//! own process (the release binary) so its memory is its own. Orders
//! service and the gateway run in this process, on their own schemas and
//! stream, as in the tests.
//!
//! ```sh
//! scripts/bench calls        # builds the binaries, then runs this
//! CALLS_BENCH_CALLS=2000 CALLS_BENCH_SPEED=20 scripts/bench calls
//! ```

use barpel_gateway::keys::{Limits, Plan, store};
use barpel_platform::{Shutdown, config::Env, db, testing};
use futures::{StreamExt, stream};
use serde_json::json;
use sqlx::PgPool;
use std::{
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let calls = env_number("CALLS_BENCH_CALLS", 10_000);
    let speed = env_number("CALLS_BENCH_SPEED", 3);
    let clients = env_number("CALLS_BENCH_CLIENTS", 64);
    let shutdown = Shutdown::new();
    let bus = testing::bus("calls_bench");
    let orders = barpel_orders_service::start(
        barpel_orders_service::Config::new(testing::backend("orders_bench", &bus).await),
        shutdown.clone(),
    )
    .await?;
    let calls_db = testing::database("calls_bench").await;
    let (mut child, calls_addr) =
        spawn_call_service(&calls_db, &bus, &orders.addr.to_string(), calls, speed).await?;
    let mut gateway_config = barpel_gateway::Config::from_env(&Env::from_pairs([]))?;
    gateway_config.listen = testing::any_port();
    gateway_config.database = testing::database("gateway_bench").await;
    gateway_config.redis_prefix = format!("{}:", testing::unique("bench"));
    gateway_config.backends.calls = format!("http://{calls_addr}");
    gateway_config.backends.orders = format!("http://{}", orders.addr);
    let gateway = barpel_gateway::start(gateway_config.clone(), shutdown.clone()).await?;
    let key = account(&gateway_config.database, calls).await?;

    println!(
        "placing {calls} test calls with {clients} concurrent clients (simulation speed {speed}x)"
    );
    let client = reqwest::Client::new();
    let url = format!("http://{}/v1/calls", gateway.addr);
    let started = Instant::now();
    let failures = stream::iter(0..calls)
        .map(|i| place(&client, &url, &key, i))
        .buffer_unordered(clients as usize)
        .filter(|ok| std::future::ready(!ok))
        .count()
        .await;
    let accepted_in = started.elapsed();
    println!(
        "accepted {} calls in {:.2} s: {:.0} calls/s ({failures} refused)",
        calls as usize - failures,
        accepted_in.as_secs_f64(),
        (calls as usize - failures) as f64 / accepted_in.as_secs_f64()
    );

    let pool = db::connect(&calls_db).await?;
    let peak_active = wait_all_ended(&pool).await?;
    let all_done = started.elapsed();
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM calls GROUP BY status ORDER BY 1")
            .fetch_all(&pool)
            .await?;
    println!(
        "all calls ended {:.1} s after the first was placed",
        all_done.as_secs_f64()
    );
    println!("at most {peak_active} calls were ringing or connected at once");
    println!("final statuses: {statuses:?}");
    if let Some(pid) = child.id() {
        println!(
            "call-service peak RSS: {}",
            peak_rss(pid).unwrap_or_else(|| "unknown".into())
        );
    }

    let _ = child.kill().await;
    shutdown.cancel();
    for handle in [gateway, orders] {
        let _ = tokio::time::timeout(Duration::from_secs(10), handle.wait()).await;
    }
    let drop = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", calls_db.schema);
    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
        .execute(&pool)
        .await;
    if let Ok(bus) = barpel_platform::bus::Bus::connect(bus).await {
        let _ = bus.delete_stream().await;
    }
    Ok(())
}

async fn place(client: &reqwest::Client, url: &str, key: &str, i: u64) -> bool {
    let body = json!({
        "phone_number": format!("+1415555{:04}", i % 10_000),
        "purpose": "cart_recovery",
        "context": {"cart_items": ["Blue Running Shoes", "White T-Shirt"], "cart_value": 89.99, "customer_name": "Sarah"}
    });
    match client.post(url).bearer_auth(key).json(&body).send().await {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            eprintln!(
                "refused: {} {}",
                response.status(),
                response.text().await.unwrap_or_default()
            );
            false
        }
        Err(e) => {
            eprintln!("request failed: {e}");
            false
        }
    }
}

/// The release call-service binary beside this bench, as its own process.
async fn spawn_call_service(
    database: &db::DatabaseConfig,
    bus: &barpel_platform::bus::BusConfig,
    orders: &str,
    calls: u64,
    speed: u64,
) -> anyhow::Result<(Child, String)> {
    let binary = std::env::current_exe()?
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("barpel-call-service"))
        .filter(|path| path.exists())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "build call-service first: cargo build --release -p barpel-call-service"
            )
        })?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(binary)
        .env("DATABASE_URL", &database.url)
        .env("DATABASE_MAX_CONNECTIONS", "10")
        .env("CALL_WORKER_DB_CONNECTIONS", "20")
        .env("CALL_SERVICE_DB_SCHEMA", &database.schema)
        .env("CALL_SERVICE_ADDR", &addr)
        .env("NATS_URL", &bus.url)
        .env("EVENTS_STREAM", &bus.stream)
        .env("EVENTS_SUBJECT_PREFIX", &bus.subject_prefix)
        .env("ORDERS_SERVICE_URL", format!("http://{orders}"))
        .env("CALL_SIMULATION_SPEED", speed.to_string())
        .env("CALL_SERVICE_MAX_ACTIVE_CALLS", calls.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            return Ok((child, addr));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("call-service did not start on {addr}")
}

/// An enterprise account that may run every call at once.
async fn account(database: &db::DatabaseConfig, calls: u64) -> anyhow::Result<String> {
    let pool = db::connect(database).await?;
    let limits = Limits {
        per_minute: 10_000_000,
        per_second: 1_000_000,
    };
    let account = store::create_account(
        &pool,
        &testing::unique("bench"),
        Plan::Enterprise,
        Some(limits),
    )
    .await?;
    store::set_max_concurrent_calls(&pool, &account.id, calls as u32).await?;
    Ok(store::create_key(&pool, &account.id, false).await?.1)
}

/// Waits until no call is queued, ringing or connected; returns the most
/// that were ringing or connected at once.
async fn wait_all_ended(pool: &PgPool) -> anyhow::Result<i64> {
    let mut peak = 0;
    loop {
        let (live, active): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('ringing', 'in_progress')) \
             FROM calls WHERE status IN ('queued', 'ringing', 'in_progress')",
        )
        .fetch_one(pool)
        .await?;
        peak = peak.max(active);
        if live == 0 {
            return Ok(peak);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `VmHWM` (peak resident set) of a process.
fn peak_rss(pid: u32) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
}

fn env_number(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
