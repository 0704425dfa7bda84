//! The shared limit: `gcra.lua` run in Redis, one `EVALSHA` per request.
//!
//! [`redis::Script`] sends `EVALSHA` with the script's SHA-1 and, when
//! Redis answers `NOSCRIPT` (first use, or a restarted Redis), loads the
//! script and retries once; so the script text crosses the wire only then.

use super::gcra::{Outcome, Tier, TierStatus};
use redis::aio::ConnectionManager;
use std::time::Duration;

const SCRIPT: &str = include_str!("gcra.lua");

/// Why Redis could not decide (the caller then decides locally).
#[derive(Debug, thiserror::Error)]
pub enum RedisLimitError {
    #[error("Redis did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
    #[error("unexpected reply from the rate limit script: {0:?}")]
    Reply(Vec<i64>),
}

/// A decision made in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedOutcome {
    pub outcome: Outcome<2>,
    /// Redis's clock when it decided (µs since the Unix epoch).
    pub clock_us: u64,
}

/// Runs the two-tier GCRA in Redis, within a deadline.
#[derive(Clone)]
pub struct RedisLimiter {
    redis: ConnectionManager,
    script: redis::Script,
    timeout: Duration,
}

impl RedisLimiter {
    /// `timeout` bounds each call: past it the request is decided locally,
    /// so a slow Redis costs each request at most that.
    pub fn new(redis: ConnectionManager, timeout: Duration) -> Self {
        Self {
            redis,
            script: redis::Script::new(SCRIPT),
            timeout,
        }
    }

    /// Decides one request against `key`'s bucket: `tiers` are the burst
    /// tier, then the sustained tier.
    pub async fn check(
        &self,
        key: &str,
        tiers: &[Tier; 2],
    ) -> Result<SharedOutcome, RedisLimitError> {
        let mut redis = self.redis.clone();
        let mut invocation = self.script.key(key);
        for tier in tiers {
            invocation.arg(tier.limit).arg(tier.window_us);
        }
        let reply: Vec<i64> =
            tokio::time::timeout(self.timeout, invocation.invoke_async(&mut redis))
                .await
                .map_err(|_| RedisLimitError::Timeout(self.timeout))??;
        parse(&reply).ok_or(RedisLimitError::Reply(reply))
    }
}

/// `{allowed, refusing tier, retry, now, (remaining, next, reset) × 2}`.
fn parse(reply: &[i64]) -> Option<SharedOutcome> {
    let n = |i: usize| reply.get(i).and_then(|&v| u64::try_from(v).ok());
    let status = |first: usize| {
        Some(TierStatus {
            remaining: n(first)?,
            next_us: n(first + 1)?,
            reset_us: n(first + 2)?,
        })
    };
    if reply.len() != 10 {
        return None;
    }
    let denied_by = match n(1)? {
        0 => None,
        tier @ 1..=2 => Some(tier as usize - 1),
        _ => return None,
    };
    Some(SharedOutcome {
        outcome: Outcome {
            allowed: n(0)? == 1,
            denied_by,
            retry_us: n(2)?,
            tiers: [status(4)?, status(7)?],
        },
        clock_us: n(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_scripts_reply() {
        let reply = [
            0,
            2,
            13_000_000,
            1_700_000_000_000_000,
            2,
            0,
            0,
            0,
            13_000_000,
            59_000_000,
        ];
        let parsed = parse(&reply).map(|s| s.outcome);
        assert_eq!(
            parsed,
            Some(Outcome {
                allowed: false,
                denied_by: Some(1),
                retry_us: 13_000_000,
                tiers: [
                    TierStatus {
                        remaining: 2,
                        next_us: 0,
                        reset_us: 0
                    },
                    TierStatus {
                        remaining: 0,
                        next_us: 13_000_000,
                        reset_us: 59_000_000
                    },
                ],
            })
        );
        assert_eq!(parse(&reply[..9]), None);
        assert_eq!(parse(&[1, 7, 0, 0, 0, 0, 0, 0, 0, 0]), None);
    }
}
