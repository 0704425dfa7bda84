//! The rate-limit response headers.
//!
//! `RateLimit-Policy` and `RateLimit` follow the syntax of the IETF HTTPAPI
//! draft "RateLimit header fields for HTTP",
//! draft-ietf-httpapi-ratelimit-headers-11 (May 2026; the syntax is the
//! same since -08): Structured Field lists of named policies,
//!
//! ```text
//! RateLimit-Policy: "burst";q=20;w=1, "sustained";q=100;w=60
//! RateLimit: "burst";r=19;t=1, "sustained";r=99;t=1
//! ```
//!
//! with `q` the quota, `w` its window in seconds, `r` the quota left and
//! `t` the seconds within which no more than `r` can be used: with GCRA,
//! the time until one more request is allowed again. Every tier is listed,
//! so clients see both the burst and the sustained standing.
//!
//! The older `X-RateLimit-Limit`, `-Remaining` and `-Reset` (delta seconds
//! until the whole allowance is back) can hold only one tier: the one that
//! binds, i.e. the tier that refused, or else the one with the fewest
//! requests left.

use super::gcra::{MICROS_PER_SECOND, Outcome, Tier, TierStatus};
use axum::http::{HeaderMap, HeaderName, HeaderValue};

pub static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
pub static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
pub static X_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
pub static X_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
pub static X_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// The names of the tiers, in the order the limiter checks them.
pub const ACCOUNT_POLICIES: [&str; 2] = ["burst", "sustained"];

/// Whole seconds, rounded up: a client that waits this long is never early.
pub fn seconds(micros: u64) -> u64 {
    micros.div_ceil(MICROS_PER_SECOND)
}

/// `Retry-After` for a refusal: whole seconds, at least 1.
pub fn retry_after<const N: usize>(outcome: &Outcome<N>) -> u64 {
    seconds(outcome.retry_us).max(1)
}

/// Sets the five headers on `headers` for a decision over named tiers.
pub fn write<const N: usize>(
    headers: &mut HeaderMap,
    names: &[&str; N],
    tiers: &[Tier; N],
    outcome: &Outcome<N>,
) {
    let policy = list(names, |i| {
        format!("q={};w={}", tiers[i].limit, tiers[i].window_secs())
    });
    let current = list(names, |i| {
        let status = outcome.tiers[i];
        format!("r={};t={}", status.remaining, seconds(status.next_us))
    });
    let binding = binding(outcome);
    let status: TierStatus = outcome.tiers[binding];
    let fields = [
        (&RATELIMIT_POLICY, policy),
        (&RATELIMIT, current),
        (&X_LIMIT, tiers[binding].limit.to_string()),
        (&X_REMAINING, status.remaining.to_string()),
        (&X_RESET, seconds(status.reset_us).to_string()),
    ];
    for (name, value) in fields {
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(name.clone(), value);
        }
    }
}

/// `"name";params, …` for every tier.
fn list<const N: usize>(names: &[&str; N], params: impl Fn(usize) -> String) -> String {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("\"{name}\";{}", params(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tier the `X-RateLimit-*` headers describe.
fn binding<const N: usize>(outcome: &Outcome<N>) -> usize {
    if let Some(tier) = outcome.denied_by {
        return tier;
    }
    (0..N)
        .min_by_key(|&i| {
            let status = outcome.tiers[i];
            (status.remaining, std::cmp::Reverse(status.reset_us))
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratelimit::gcra::{self, State};

    fn starter() -> [Tier; 2] {
        [Tier::per_second(20), Tier::per_minute(100)]
    }

    #[test]
    fn success_lists_both_tiers_and_reports_the_binding_one() {
        let tiers = starter();
        let outcome = gcra::check(&tiers, &mut [State::default(); 2], 0);
        let mut headers = HeaderMap::new();
        write(&mut headers, &ACCOUNT_POLICIES, &tiers, &outcome);
        assert_eq!(
            headers["ratelimit-policy"],
            "\"burst\";q=20;w=1, \"sustained\";q=100;w=60"
        );
        assert_eq!(
            headers["ratelimit"],
            "\"burst\";r=19;t=1, \"sustained\";r=99;t=1"
        );
        assert_eq!(headers["x-ratelimit-limit"], "20");
        assert_eq!(headers["x-ratelimit-remaining"], "19");
        assert_eq!(headers["x-ratelimit-reset"], "1");
    }

    #[test]
    fn a_refusal_reports_the_refusing_tier() {
        let tiers = [Tier::per_second(50), Tier::per_minute(3)];
        let mut states = [State::default(); 2];
        for _ in 0..3 {
            gcra::check(&tiers, &mut states, 0);
        }
        let refused = gcra::check(&tiers, &mut states, 0);
        let mut headers = HeaderMap::new();
        write(&mut headers, &ACCOUNT_POLICIES, &tiers, &refused);
        assert_eq!(headers["x-ratelimit-limit"], "3");
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert_eq!(headers["x-ratelimit-reset"], "60");
        assert_eq!(
            headers["ratelimit"],
            "\"burst\";r=47;t=1, \"sustained\";r=0;t=20"
        );
        assert_eq!(retry_after(&refused), 20);
    }

    #[test]
    fn retry_after_is_never_zero() {
        let outcome = Outcome::<1> {
            allowed: false,
            denied_by: Some(0),
            retry_us: 1,
            tiers: [TierStatus {
                remaining: 0,
                next_us: 1,
                reset_us: 1,
            }],
        };
        assert_eq!(retry_after(&outcome), 1);
        assert_eq!(seconds(1_000_001), 2);
        assert_eq!(seconds(0), 0);
    }
}
