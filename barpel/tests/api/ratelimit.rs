//! Rate limits over HTTP: each plan's allowance per account and mode, the
//! headers on every authenticated response, 429s with `Retry-After`, one
//! allowance across gateway replicas, the per-replica fallback while Redis
//! is down, and the per-address guard against unauthenticated floods.
//!
//! `GET /v1/calls` is the route under test; its backend's answer does not
//! matter here, only whether the gateway let the request through (any
//! status but 429) or refused it (429).

use crate::support::{Options, TestApp, error_of, send};
use barpel_gateway::keys::{Limits, Plan, format};
use barpel_platform::testing::{self, PrivateRedis};
use futures::future::join_all;
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::Value;
use std::time::{Duration, Instant};

fn limits(per_second: u32, per_minute: u32) -> Limits {
    Limits {
        per_minute,
        per_second,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

fn number(headers: &HeaderMap, name: &str) -> u64 {
    header(headers, name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a whole number: {headers:?}"))
}

/// `count` concurrent `GET /v1/calls` to `bases` in turn; the responses and
/// how long they took.
async fn flood(
    app: &TestApp,
    bases: &[&str],
    key: &str,
    count: usize,
) -> (Vec<(StatusCode, HeaderMap, Value)>, Duration) {
    let started = Instant::now();
    let requests = (0..count).map(|i| {
        let url = format!("{}/v1/calls", bases[i % bases.len()]);
        send(app.http.get(url).bearer_auth(key))
    });
    let responses = join_all(requests).await;
    (responses, started.elapsed())
}

fn admitted(responses: &[(StatusCode, HeaderMap, Value)]) -> u64 {
    responses
        .iter()
        .filter(|(status, _, _)| *status != StatusCode::TOO_MANY_REQUESTS)
        .count() as u64
}

/// The limit, plus whatever refilled while the requests were in flight
/// (one per `interval`): exact when they all land within one interval.
fn assert_allowance(admitted: u64, limit: u64, elapsed: Duration, interval: Duration) {
    let refilled = (elapsed.as_micros() / interval.as_micros()) as u64;
    assert!(
        (limit..=limit + refilled).contains(&admitted),
        "admitted {admitted}, allowance {limit} (+{refilled} refilled in {elapsed:?})"
    );
}

#[tokio::test]
async fn the_starter_burst_admits_20_with_headers_on_every_response() {
    let app = TestApp::spawn().await;
    let key = app.account(Plan::Starter).await.test_key;
    let (responses, elapsed) = flood(&app, &[&app.base], &key, 30).await;
    assert_allowance(admitted(&responses), 20, elapsed, Duration::from_millis(50));

    for (status, headers, _) in &responses {
        assert_eq!(
            header(headers, "ratelimit-policy"),
            "\"burst\";q=20;w=1, \"sustained\";q=100;w=60",
            "{status}"
        );
        assert!(header(headers, "ratelimit").starts_with("\"burst\";r="));
        assert!(header(headers, "request-id").starts_with("req_"));
    }
    let (_, headers, body) = responses
        .iter()
        .find(|(status, _, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .expect("a 429");
    assert_eq!(
        error_of(body),
        (
            "rate_limit_error".into(),
            "rate_limit_exceeded".into(),
            None
        )
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "Rate limit exceeded for the starter plan: 20 requests per second (burst). Retry after 1 s."
        ),
        "{message}"
    );
    assert_eq!(number(headers, "retry-after"), 1);
    assert_eq!(number(headers, "x-ratelimit-limit"), 20);
    assert_eq!(number(headers, "x-ratelimit-remaining"), 0);
    assert_eq!(number(headers, "x-ratelimit-reset"), 1);
    assert!(header(headers, "ratelimit").contains("\"burst\";r=0;t=1"));
    app.stop().await;
}

#[tokio::test]
async fn errors_from_behind_the_limiter_carry_the_headers_too() {
    let app = TestApp::spawn().await;
    // The sustained tier binds (10/min: one back every 6 s), so the counts
    // below do not depend on timing.
    let key = app.enterprise_account(limits(1_000, 10)).await.test_key;
    let invalid = app.post(&key, "/v1/calls", &serde_json::json!({"colour": "red"}));
    let (status, headers, _) = send(invalid).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        header(&headers, "ratelimit-policy"),
        "\"burst\";q=1000;w=1, \"sustained\";q=10;w=60"
    );
    assert_eq!(number(&headers, "x-ratelimit-limit"), 10);
    assert_eq!(number(&headers, "x-ratelimit-remaining"), 9);
    let (status, headers, _) = send(app.get(&key, "/v1/calls/call_0000000000000000")).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(number(&headers, "x-ratelimit-remaining"), 8);
    assert!(header(&headers, "ratelimit").ends_with("\"sustained\";r=8;t=6"));
    app.stop().await;
}

#[tokio::test]
async fn the_sustained_tier_bites_for_an_enterprise_account() {
    let app = TestApp::spawn().await;
    let key = app.enterprise_account(limits(50, 5)).await.test_key;
    let started = Instant::now();
    let mut responses = Vec::new();
    for _ in 0..8 {
        responses.push(send(app.get(&key, "/v1/calls")).await);
    }
    assert_allowance(
        admitted(&responses),
        5,
        started.elapsed(),
        Duration::from_secs(12),
    );
    let (_, headers, body) = responses.last().expect("responses");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("for the enterprise plan: 5 requests per minute (sustained)"),
        "{message}"
    );
    assert!((1..=12).contains(&number(headers, "retry-after")));
    assert_eq!(number(headers, "x-ratelimit-limit"), 5);
    assert_eq!(
        header(headers, "ratelimit-policy"),
        "\"burst\";q=50;w=1, \"sustained\";q=5;w=60"
    );
    app.stop().await;
}

#[tokio::test]
async fn test_traffic_cannot_starve_live_traffic() {
    let app = TestApp::spawn().await;
    let account = app.enterprise_account(limits(50, 2)).await;
    for _ in 0..2 {
        let (status, _, _) = send(app.get(&account.test_key, "/v1/calls")).await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    }
    let (status, _, _) = send(app.get(&account.test_key, "/v1/calls")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, headers, _) = send(app.get(&account.live_key, "/v1/calls")).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(number(&headers, "x-ratelimit-remaining"), 1);
    app.stop().await;
}

#[tokio::test]
async fn two_gateways_share_one_allowance() {
    let mut app = TestApp::spawn().await;
    let second = app.second_gateway().await;
    let key = app.enterprise_account(limits(100, 6)).await.test_key;
    let bases = [app.base.as_str(), second.as_str()];
    let (responses, elapsed) = flood(&app, &bases, &key, 12).await;
    // Each gateway alone would admit 6: together they admit 6, not 12.
    assert_allowance(admitted(&responses), 6, elapsed, Duration::from_secs(10));
    app.stop().await;
}

#[tokio::test]
async fn a_request_after_retry_after_succeeds() {
    let app = TestApp::spawn().await;
    let key = app.enterprise_account(limits(2, 1_000)).await.test_key;
    let refused = loop {
        let (status, headers, _) = send(app.get(&key, "/v1/calls")).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            break headers;
        }
    };
    let wait = number(&refused, "retry-after");
    assert_eq!(wait, 1);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    let (status, _, _) = send(app.get(&key, "/v1/calls")).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// `barpel_gateway_rate_limit_fallback_active` of the gateway at `base`.
async fn fallback_gauge(app: &TestApp, base: &str) -> Option<u64> {
    let text = app
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("barpel_gateway_rate_limit_fallback_active "))
        .and_then(|value| value.trim().parse().ok())
}

#[tokio::test]
async fn limits_hold_through_a_redis_outage_and_are_shared_again_after() {
    let mut redis = PrivateRedis::start().await;
    let url = redis.url();
    let mut app = TestApp::spawn_with(Options {
        gateway: Box::new(move |c| {
            c.redis_url = url;
            c.rate_limit.probe_interval = Duration::from_millis(200);
        }),
        ..Default::default()
    })
    .await;
    let second = app.second_gateway().await;
    let bases = [app.base.clone(), second];
    let bases: Vec<&str> = bases.iter().map(String::as_str).collect();

    // Shared: 4 across both gateways.
    let shared = app.enterprise_account(limits(100, 4)).await.test_key;
    let (responses, _) = flood(&app, &bases, &shared, 8).await;
    assert_eq!(admitted(&responses), 4);

    redis.stop().await;
    // Served all the same, each gateway enforcing the limit on its own.
    let alone = app.enterprise_account(limits(100, 4)).await.test_key;
    for base in &bases {
        let (responses, _) = flood(&app, &[base], &alone, 6).await;
        assert_eq!(admitted(&responses), 4, "{base}");
        assert_eq!(fallback_gauge(&app, base).await, Some(1));
    }

    redis.resume().await;
    let poller = app
        .enterprise_account(limits(10_000, 100_000))
        .await
        .test_key;
    for base in &bases {
        testing::eventually("back on Redis", Duration::from_secs(10), || async {
            send(
                app.http
                    .get(format!("{base}/v1/calls"))
                    .bearer_auth(&poller),
            )
            .await;
            (fallback_gauge(&app, base).await == Some(0)).then_some(())
        })
        .await;
    }
    let again = app.enterprise_account(limits(100, 4)).await.test_key;
    let (responses, _) = flood(&app, &bases, &again, 8).await;
    assert_eq!(admitted(&responses), 4);
    app.stop().await;
}

async fn unauthenticated(
    app: &TestApp,
    key: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = app.get(key, "/v1/calls");
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    send(request).await
}

fn stranger() -> String {
    format::generate(false).secret
}

#[tokio::test]
async fn an_unauthenticated_flood_is_refused_per_address_before_any_lookup() {
    let app = TestApp::spawn_with(Options {
        gateway: Box::new(|c| c.rate_limit.unauthenticated_per_minute = 3),
        ..Default::default()
    })
    .await;
    let regular = app.account(Plan::Starter).await.test_key;
    let newcomer = app.account(Plan::Starter).await.test_key;
    let (status, _, _) = send(app.get(&regular, "/v1/calls")).await;
    assert_ne!(status, StatusCode::UNAUTHORIZED);

    for remaining in (0..3).rev() {
        let (status, headers, _) = unauthenticated(&app, &stranger(), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            header(&headers, "ratelimit-policy"),
            "\"unauthenticated\";q=3;w=60"
        );
        assert_eq!(number(&headers, "x-ratelimit-remaining"), remaining);
    }
    let (status, headers, body) = unauthenticated(&app, &stranger(), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        error_of(&body),
        (
            "rate_limit_error".into(),
            "too_many_failed_authentications".into(),
            None
        )
    );
    assert!((1..=20).contains(&number(&headers, "retry-after")));
    // Refused before the lookup: even a valid key this gateway has never
    // looked up is refused from this address...
    let (status, _, _) = send(app.get(&newcomer, "/v1/calls")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // ...and a forged X-Forwarded-For changes nothing (not trusted by default).
    let (status, _, _) = unauthenticated(&app, &stranger(), Some("203.0.113.9")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // A key already known valid still works: only failures were counted.
    let (status, _, _) = send(app.get(&regular, "/v1/calls")).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

#[tokio::test]
async fn a_trusted_forwarded_for_gives_each_client_its_own_budget() {
    let app = TestApp::spawn_with(Options {
        gateway: Box::new(|c| {
            c.rate_limit.unauthenticated_per_minute = 1;
            c.rate_limit.trust_forwarded_for = true;
        }),
        ..Default::default()
    })
    .await;
    let first = Some("198.51.100.7, 203.0.113.1");
    let (status, _, _) = unauthenticated(&app, &stranger(), first).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = unauthenticated(&app, &stranger(), first).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = unauthenticated(&app, &stranger(), Some("203.0.113.2")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
