//! The unauthenticated-flood guard, in front of authentication.
//!
//! Policy: **failed authentications are counted per client address**, at
//! most `RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE` (GCRA: that many at once,
//! then one per `60 / n` s). Once an address has used that budget, its
//! requests are refused with 429 before their key is looked up, so a flood
//! of made-up keys cannot reach Postgres.
//!
//! - Before authentication the address's budget is only read; a request
//!   that then fails authentication (401) is charged. Valid keys never
//!   spend it, so a client starting many concurrent requests with a new
//!   key is not mistaken for a flood.
//! - A failure is charged even past the budget: bad keys that were already
//!   in flight when it ran out keep the address refused for longer (up to
//!   one more window) instead of going unpunished.
//! - A request whose key this replica has already seen authenticate passes
//!   even a refused address (an in-memory check, no lookup): a legitimate
//!   client sharing an address with an attacker (a NAT, a proxy) keeps
//!   working; the per-account limits apply to it.
//! - The counting is in-process, per replica: no Redis round trip for it,
//!   and it keeps working when Redis is down. N replicas allow an address N
//!   times the budget, which still bounds the lookups each database pool
//!   sees.
//! - The address is the TCP peer's. With `TRUST_FORWARDED_FOR=true` (only
//!   behind a proxy that appends the client's address) it is the last
//!   `X-Forwarded-For` entry, the one that proxy added. IPv6 addresses are
//!   grouped by /64, the block one subscriber usually holds.

use super::{
    gcra::{Outcome, Tier},
    headers,
    local::LocalBuckets,
};
use crate::{
    http::{ApiError, auth, metrics::ReasonLabels},
    keys::format,
    state::AppState,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use barpel_api::ErrorType;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The policy's name in the `RateLimit` headers.
pub const POLICY: [&str; 1] = ["unauthenticated"];

/// Per-address budgets of failed authentications.
pub struct FloodGuard {
    tiers: [Tier; 1],
    buckets: LocalBuckets<IpAddr, 1>,
    trust_forwarded_for: bool,
}

impl FloodGuard {
    pub fn new(per_minute: u32, trust_forwarded_for: bool) -> Self {
        Self {
            tiers: [Tier::per_minute(per_minute)],
            buckets: LocalBuckets::default(),
            trust_forwarded_for,
        }
    }

    /// The address a request is charged to (see the module docs).
    pub fn client(&self, request: &Request) -> IpAddr {
        let forwarded = if self.trust_forwarded_for {
            forwarded_for(request.headers())
        } else {
            None
        };
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        group(
            forwarded
                .or(peer)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        )
    }

    /// Whether `client` may still try a key (nothing is spent).
    pub fn admits(&self, client: IpAddr) -> Outcome<1> {
        self.buckets.peek(&client, &self.tiers)
    }

    /// Charges a failed authentication to `client`.
    pub fn charge_failure(&self, client: IpAddr) -> Outcome<1> {
        self.buckets.charge(client, &self.tiers)
    }

    fn refusal(&self, outcome: &Outcome<1>) -> Response {
        let retry = headers::retry_after(outcome);
        let limit = self.tiers[0].limit;
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorType::RateLimitError,
            "too_many_failed_authentications",
            format!(
                "Too many requests without a valid API key from your address: at most {limit} per minute. Check the key you send in `Authorization: Bearer …`. Retry after {retry} s."
            ),
        )
        .with_retry_after(retry)
        .into_response();
        self.write_headers(&mut response, outcome);
        response
    }

    fn write_headers(&self, response: &mut Response, outcome: &Outcome<1>) {
        headers::write(response.headers_mut(), &POLICY, &self.tiers, outcome);
    }
}

/// Middleware in front of authentication.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if seen_valid_key(&state, request.headers()) {
        return next.run(request).await;
    }
    let guard = &state.rate_limits.flood;
    let client = guard.client(&request);
    let outcome = guard.admits(client);
    if !outcome.allowed {
        state
            .metrics
            .rate_limited
            .get_or_create(&ReasonLabels {
                reason: POLICY[0].to_owned(),
            })
            .inc();
        return guard.refusal(&outcome);
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED {
        let after = guard.charge_failure(client);
        guard.write_headers(&mut response, &after);
    }
    response
}

/// A well-formed key that authenticated when this replica last looked it
/// up (an in-memory check; no database).
fn seen_valid_key(state: &AppState, headers: &HeaderMap) -> bool {
    auth::bearer(headers)
        .ok()
        .and_then(|key| format::parse(key).ok())
        .is_some_and(|key| state.keys.seen_active(&key.hash))
}

/// The last `X-Forwarded-For` entry: the one the trusted proxy appended.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()
}

/// The unit an address is counted in: the IPv4 address, or the IPv6 /64.
fn group(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(peer: &str, forwarded: &[&str]) -> Request {
        let mut request = Request::new(Body::empty());
        if let Ok(addr) = peer.parse::<SocketAddr>() {
            request.extensions_mut().insert(ConnectInfo(addr));
        }
        for value in forwarded {
            if let Ok(value) = value.parse() {
                request.headers_mut().append("x-forwarded-for", value);
            }
        }
        request
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn forwarded_for_is_ignored_unless_trusted() {
        let spoofed = request("10.0.0.1:5000", &["203.0.113.9"]);
        assert_eq!(FloodGuard::new(5, false).client(&spoofed), ip("10.0.0.1"));
        assert_eq!(FloodGuard::new(5, true).client(&spoofed), ip("203.0.113.9"));
    }

    #[test]
    fn the_last_forwarded_entry_counts() {
        let guard = FloodGuard::new(5, true);
        let chain = request("10.0.0.1:5000", &["198.51.100.1, 203.0.113.9"]);
        assert_eq!(guard.client(&chain), ip("203.0.113.9"));
        let split = request("10.0.0.1:5000", &["198.51.100.1", "203.0.113.7:443"]);
        assert_eq!(guard.client(&split), ip("203.0.113.7"));
        let garbage = request("10.0.0.1:5000", &["not-an-address"]);
        assert_eq!(guard.client(&garbage), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_is_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let guard = FloodGuard::new(5, false);
        let a = guard.client(&request("[2001:db8:1:2:aaaa::1]:443", &[]));
        let b = guard.client(&request("[2001:db8:1:2:bbbb::2]:443", &[]));
        assert_eq!(a, b);
        assert_eq!(a, ip("2001:db8:1:2::"));
        let mapped = guard.client(&request("[::ffff:192.0.2.1]:443", &[]));
        assert_eq!(mapped, ip("192.0.2.1"));
        assert_eq!(guard.client(&request("", &[])), ip("0.0.0.0"));
    }

    #[test]
    fn only_failures_spend_the_budget() {
        let guard = FloodGuard::new(2, false);
        let client = ip("192.0.2.1");
        for _ in 0..5 {
            assert!(guard.admits(client).allowed);
        }
        assert_eq!(guard.charge_failure(client).tiers[0].remaining, 1);
        assert_eq!(guard.charge_failure(client).tiers[0].remaining, 0);
        assert!(!guard.admits(client).allowed);
        assert!(guard.admits(ip("192.0.2.2")).allowed);
    }
}
