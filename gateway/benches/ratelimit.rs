//! What the rate limiter costs, and whether replicas share one allowance.
//!
//! `cargo bench -p barpel-gateway --bench ratelimit` (needs the local
//! Postgres and Redis, like the tests). In one run it serves, on loopback:
//!
//! 1. a bare axum hello-world route;
//! 2. a trivial authenticated route: the authentication layer only;
//! 3. the same route behind the whole `/v1` stack (`routes::protect`:
//!    flood guard → authentication → Redis rate limit → idempotency);
//!
//! and drives each with the same closed-loop load (N connections, each
//! sending its next request when the last one answers) for a fixed time,
//! reporting requests/s and p50/p99 latency. Client and server share this
//! machine's cores, so compare the rows with each other rather than with
//! other machines. Then it starts two replicas of stack 3 on one Redis
//! prefix, floods both with one account's key, and compares the requests
//! admitted with the GCRA allowance for the time the flood lasted.
//!
//! Knobs (environment): `BENCH_SECONDS` (default 5), `BENCH_CONNECTIONS`
//! (default 32).

use axum::{Router, middleware, routing::get};
use barpel_gateway::{
    Config,
    backends::Backends,
    http,
    keys::{Limits, Plan, Principal, cache::KeyCache, store},
    ratelimit::{
        RateLimits,
        gcra::{self, State, Tier},
    },
    routes,
    state::AppState,
};
use barpel_platform::{config::Env, testing};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

/// Load-generator settings.
#[derive(Clone, Copy)]
struct Load {
    connections: usize,
    duration: Duration,
}

/// What one load run saw.
struct Stats {
    requests: usize,
    limited: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies.get(index).copied().unwrap_or_default()
    }

    fn row(&self, name: &str) {
        println!(
            "| {name:<44} | {:>9.0} | {:>8.3} | {:>8.3} | {:>6} |",
            self.requests as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
            self.failed,
        );
    }
}

async fn run() -> Result<()> {
    let load = Load {
        connections: env_number("BENCH_CONNECTIONS", 32),
        duration: Duration::from_secs(env_number("BENCH_SECONDS", 5) as u64),
    };
    let config = config().await?;
    let pool = barpel_gateway::connect_and_migrate(&config.database).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(load.connections)
        .build()?;
    let unlimited = key(&pool, Plan::Enterprise).await?;

    let bare = serve(Router::new().route("/", get(|| async { "Hello, world!" }))).await?;
    let state = app_state(&config, &pool).await?;
    let auth_only = serve(
        authenticated_route()
            .layer(middleware::from_fn_with_state(
                state.clone(),
                http::auth::layer,
            ))
            .with_state(state.clone()),
    )
    .await?;
    let limited = serve(routes::protect(authenticated_route(), &state).with_state(state)).await?;

    println!(
        "\n{} connections, {} s per row, one process on {} cores\n",
        load.connections,
        load.duration.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| {:<44} | {:>9} | {:>8} | {:>8} | {:>6} |",
        "stack", "req/s", "p50 ms", "p99 ms", "errors"
    );
    println!(
        "|{:-<46}|{:->11}|{:->10}|{:->10}|{:->8}|",
        "", "", "", "", ""
    );
    let rows = [
        ("bare axum hello world", format!("http://{bare}/"), None),
        (
            "authenticated route (auth layer only)",
            format!("http://{auth_only}/v1/ping"),
            Some(&unlimited),
        ),
        (
            "authenticated route + Redis rate limit",
            format!("http://{limited}/v1/ping"),
            Some(&unlimited),
        ),
    ];
    for (name, url, key) in rows {
        let urls = [url];
        drive(
            &client,
            &urls,
            key.map(String::as_str),
            load.with_duration(Duration::from_millis(500)),
        )
        .await;
        drive(&client, &urls, key.map(String::as_str), load)
            .await
            .row(name);
    }

    println!(
        "\nTwo replicas sharing one account's limit (flood from {} connections):\n",
        load.connections
    );
    println!(
        "| {:<10} | {:>9} | {:>8} | {:>9} | {:>18} |",
        "plan", "requests", "admitted", "allowance", "admitted/allowance"
    );
    println!(
        "|{:-<12}|{:->11}|{:->10}|{:->11}|{:->20}|",
        "", "", "", "", ""
    );
    for plan in [Plan::Starter, Plan::Scale] {
        shared_allowance(&client, &config, &pool, plan, load).await?;
    }
    Ok(())
}

impl Load {
    fn with_duration(self, duration: Duration) -> Self {
        Self { duration, ..self }
    }
}

fn env_number(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The gateway's defaults on a test schema and a Redis prefix of its own.
async fn config() -> Result<Config> {
    let mut config = Config::from_env(&Env::from_pairs([]))?;
    config.database = testing::database("bench").await;
    config.redis_url = testing::redis_url();
    config.redis_prefix = format!("{}:", testing::unique("bench"));
    Ok(config)
}

/// A key of a new account on `plan` (enterprise: limits too high to bite).
async fn key(pool: &PgPool, plan: Plan) -> Result<String> {
    let custom = (plan == Plan::Enterprise).then_some(Limits {
        per_minute: 100_000_000,
        per_second: 10_000_000,
    });
    let account = store::create_account(pool, &testing::unique("bench"), plan, custom).await?;
    Ok(store::create_key(pool, &account.id, false).await?.1)
}

/// One replica's state: its own Redis connection, key cache and limiters.
async fn app_state(config: &Config, pool: &PgPool) -> Result<AppState> {
    let redis = redis::Client::open(config.redis_url.as_str())?
        .get_connection_manager()
        .await?;
    let metrics: Arc<http::metrics::Metrics> = Arc::default();
    Ok(AppState {
        keys: Arc::new(KeyCache::new(pool.clone(), config.key_cache_ttl)),
        backends: Backends::new(&config.backends, config.request_timeout)?,
        rate_limits: Arc::new(RateLimits::new(config, redis.clone(), metrics.clone())),
        metrics,
        redis,
        pool: pool.clone(),
        config: Arc::new(config.clone()),
    })
}

/// A handler that needs nothing but the authenticated principal.
fn authenticated_route() -> Router<AppState> {
    Router::new().route("/v1/ping", get(|p: Principal| async move { p.account_id }))
}

async fn serve(app: Router) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// Closed-loop load: `connections` tasks, each sending its next request as
/// soon as the previous one is answered, spread over `urls` in turn.
async fn drive(client: &reqwest::Client, urls: &[String], key: Option<&str>, load: Load) -> Stats {
    let started = Instant::now();
    let deadline = started + load.duration;
    let tasks: Vec<_> = (0..load.connections)
        .map(|i| {
            let client = client.clone();
            let url = urls[i % urls.len()].clone();
            let key = key.map(str::to_owned);
            tokio::spawn(async move { worker(client, url, key, deadline).await })
        })
        .collect();
    let mut stats = Stats {
        requests: 0,
        limited: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        if let Ok((latencies, limited, failed)) = task.await {
            stats.requests += latencies.len();
            stats.limited += limited;
            stats.failed += failed;
            stats.latencies.extend(latencies);
        }
    }
    stats.elapsed = started.elapsed();
    stats.latencies.sort_unstable();
    stats
}

async fn worker(
    client: reqwest::Client,
    url: String,
    key: Option<String>,
    deadline: Instant,
) -> (Vec<Duration>, usize, usize) {
    let (mut latencies, mut limited, mut failed) = (Vec::new(), 0, 0);
    while Instant::now() < deadline {
        let sent = Instant::now();
        let mut request = client.get(&url);
        if let Some(key) = &key {
            request = request.bearer_auth(key);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let _ = response.bytes().await;
                latencies.push(sent.elapsed());
                if status == StatusCode::TOO_MANY_REQUESTS {
                    limited += 1;
                } else if !status.is_success() {
                    failed += 1;
                }
            }
            Err(_) => failed += 1,
        }
    }
    (latencies, limited, failed)
}

/// Two replicas (separate states, one Redis prefix) flooded with one key:
/// admitted requests versus what GCRA allows in the flood's duration.
async fn shared_allowance(
    client: &reqwest::Client,
    config: &Config,
    pool: &PgPool,
    plan: Plan,
    load: Load,
) -> Result<()> {
    let mut urls = Vec::new();
    for _ in 0..2 {
        let state = app_state(config, pool).await?;
        let addr = serve(routes::protect(authenticated_route(), &state).with_state(state)).await?;
        urls.push(format!("http://{addr}/v1/ping"));
    }
    let key = key(pool, plan).await?;
    let stats = drive(client, &urls, Some(&key), load).await;
    let admitted = stats.requests - stats.limited - stats.failed;
    let allowance = allowance(plan, stats.elapsed);
    println!(
        "| {:<10} | {:>9} | {:>8} | {:>9} | {:>18.3} |",
        plan.as_str(),
        stats.requests,
        admitted,
        allowance,
        admitted as f64 / allowance as f64
    );
    Ok(())
}

/// Requests the plan admits in `duration` to a client that never stops
/// asking, from a fresh bucket: the GCRA model run at every instant a
/// request could next be admitted.
fn allowance(plan: Plan, duration: Duration) -> u64 {
    let Some(limits) = plan.limits() else {
        return 0;
    };
    let tiers = [
        Tier::per_second(limits.per_second),
        Tier::per_minute(limits.per_minute),
    ];
    let mut states = [State::default(); 2];
    let (mut now, mut admitted) = (0u64, 0u64);
    let end = duration.as_micros() as u64;
    while now <= end {
        let outcome = gcra::check(&tiers, &mut states, now);
        if outcome.allowed {
            admitted += 1;
        } else {
            now += outcome.retry_us.max(1);
        }
    }
    admitted
}
