//! The generic cell rate algorithm (GCRA), in integer microseconds.
//!
//! This is the one statement of the limiter's math. `gcra.lua` runs the same
//! steps inside Redis (it must: the shared limit is decided where the state
//! lives), and the local fallback and the flood guard call [`check`]
//! directly. The tests in `gateway/tests/ratelimit.rs` replay Redis's
//! decisions through this module, instant for instant, so the two cannot
//! drift apart unnoticed.
//!
//! A tier allows `limit` requests per `window`. Its state is a *level*: how
//! far ahead of now the bucket's theoretical arrival time is, measured in
//! units of `1 / limit` microsecond so that every step is an exact integer
//! operation (the emission interval `window / limit` is rarely a whole
//! number of microseconds; scaled by `limit` it is exactly `window`).
//!
//! - A request costs `window` level units (one emission interval).
//! - The level drains by `limit` units per microsecond.
//! - A request is admitted while `level + window <= limit * window`, so a
//!   full bucket admits exactly `limit` requests at once (the burst
//!   tolerance is `limit - 1` intervals), then one per `window / limit`.
//!
//! Several tiers are checked together and **nothing is spent unless every
//! tier admits**: a request refused by the burst tier does not use up the
//! sustained tier, and the reverse.

/// One tier: `limit` requests per `window_us` microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    pub limit: u64,
    pub window_us: u64,
}

/// What a bucket remembers of a tier between requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State {
    /// Occupancy at `at_us`, in `1 / limit` µs (0 = full allowance).
    pub level: u64,
    /// When `level` was last written. Never moves backwards, so a clock
    /// that steps back (a Redis failover) cannot refill a bucket.
    pub at_us: u64,
}

/// A tier's standing after a decision, as the headers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierStatus {
    /// Requests that would be admitted right now, one after the other.
    pub remaining: u64,
    /// Microseconds until `remaining` grows by one (0 when it is full).
    pub next_us: u64,
    /// Microseconds until the whole allowance is back.
    pub reset_us: u64,
}

/// The answer for one request over `N` tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<const N: usize> {
    pub allowed: bool,
    /// The refusing tier with the longest wait (index into the tiers).
    pub denied_by: Option<usize>,
    /// Microseconds until a retry would be admitted (0 when allowed).
    pub retry_us: u64,
    /// Every tier after the decision (spent if allowed, untouched if not).
    pub tiers: [TierStatus; N],
}

pub const MICROS_PER_SECOND: u64 = 1_000_000;

impl Tier {
    /// `limit` per second (at least 1: a zero limit would divide by zero).
    pub const fn per_second(limit: u32) -> Self {
        Self {
            limit: if limit == 0 { 1 } else { limit as u64 },
            window_us: MICROS_PER_SECOND,
        }
    }

    /// `limit` per minute (at least 1).
    pub const fn per_minute(limit: u32) -> Self {
        Self {
            limit: if limit == 0 { 1 } else { limit as u64 },
            window_us: 60 * MICROS_PER_SECOND,
        }
    }

    /// The window in whole seconds (what `RateLimit-Policy` advertises).
    pub fn window_secs(self) -> u64 {
        self.window_us.div_ceil(MICROS_PER_SECOND)
    }

    /// The level bound: `limit` emission intervals.
    fn capacity(self) -> u64 {
        self.limit.max(1).saturating_mul(self.window_us)
    }

    /// The level at `now_us`, drained since it was written.
    fn level_at(self, state: State, now_us: u64) -> u64 {
        let elapsed = now_us.saturating_sub(state.at_us);
        state
            .level
            .saturating_sub(elapsed.saturating_mul(self.limit.max(1)))
    }

    fn admits(self, level: u64) -> bool {
        level.saturating_add(self.window_us) <= self.capacity()
    }

    /// What the headers report at this level.
    pub fn status(self, level: u64) -> TierStatus {
        let limit = self.limit.max(1);
        let remaining = (self.capacity().saturating_sub(level) / self.window_us.max(1)).min(limit);
        let next_us = if remaining >= limit {
            0
        } else {
            // The level at which one more request fits.
            let target = self.capacity() - (remaining + 1) * self.window_us;
            level.saturating_sub(target).div_ceil(limit)
        };
        TierStatus {
            remaining,
            next_us,
            reset_us: level.div_ceil(limit),
        }
    }
}

/// Decides one request at `now_us` and, if every tier admits it, spends one
/// request from each.
pub fn check<const N: usize>(
    tiers: &[Tier; N],
    states: &mut [State; N],
    now_us: u64,
) -> Outcome<N> {
    let levels: [u64; N] = std::array::from_fn(|i| tiers[i].level_at(states[i], now_us));
    let mut denied_by = None;
    let mut retry_us = 0;
    for (i, (tier, &level)) in tiers.iter().zip(&levels).enumerate() {
        if !tier.admits(level) {
            let wait = tier.status(level).next_us;
            if denied_by.is_none() || wait > retry_us {
                denied_by = Some(i);
                retry_us = wait;
            }
        }
    }
    let allowed = denied_by.is_none();
    let levels = if allowed {
        for (i, state) in states.iter_mut().enumerate() {
            *state = State {
                level: levels[i] + tiers[i].window_us,
                at_us: state.at_us.max(now_us),
            };
        }
        std::array::from_fn(|i| states[i].level)
    } else {
        levels
    };
    Outcome {
        allowed,
        denied_by,
        retry_us,
        tiers: std::array::from_fn(|i| tiers[i].status(levels[i])),
    }
}

/// What [`check`] would answer, spending nothing.
pub fn peek<const N: usize>(tiers: &[Tier; N], states: &[State; N], now_us: u64) -> Outcome<N> {
    let mut copy = *states;
    let mut outcome = check(tiers, &mut copy, now_us);
    if outcome.allowed {
        outcome.tiers =
            std::array::from_fn(|i| tiers[i].status(tiers[i].level_at(states[i], now_us)));
    }
    outcome
}

/// Spends one request even past the limit (the flood guard charges failures
/// after the fact). Overshoot is kept up to one more window, so a flood
/// that overran the budget while its requests were in flight stays refused
/// for longer, but never for more than two windows.
pub fn charge<const N: usize>(
    tiers: &[Tier; N],
    states: &mut [State; N],
    now_us: u64,
) -> Outcome<N> {
    for (tier, state) in tiers.iter().zip(states.iter_mut()) {
        let level = tier.level_at(*state, now_us) + tier.window_us;
        *state = State {
            level: level.min(2 * tier.capacity()),
            at_us: state.at_us.max(now_us),
        };
    }
    peek(tiers, states, now_us)
}

/// Whether every tier has its whole allowance back (the state can go).
pub fn is_idle<const N: usize>(tiers: &[Tier; N], states: &[State; N], now_us: u64) -> bool {
    tiers
        .iter()
        .zip(states)
        .all(|(tier, state)| tier.level_at(*state, now_us) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Plan;

    const SECOND: u64 = MICROS_PER_SECOND;

    fn plan_tiers(plan: Plan) -> [Tier; 2] {
        let limits = plan.limits().unwrap_or(crate::keys::Limits {
            per_minute: 7,
            per_second: 3,
        });
        [
            Tier::per_second(limits.per_second),
            Tier::per_minute(limits.per_minute),
        ]
    }

    /// How many of `count` requests at `now_us` are admitted.
    fn flood(tiers: &[Tier; 2], states: &mut [State; 2], now_us: u64, count: u64) -> u64 {
        (0..count)
            .filter(|_| check(tiers, states, now_us).allowed)
            .count() as u64
    }

    #[test]
    fn burst_admits_its_limit_at_once_then_one_per_interval() {
        for plan in Plan::ALL {
            let tiers = plan_tiers(plan);
            let n = tiers[0].limit;
            let mut states = [State::default(); 2];
            let start = 1_000 * SECOND;
            assert_eq!(flood(&tiers, &mut states, start, n + 5), n, "{plan}");
            // One emission interval (1/n s, rounded up to whole µs) later,
            // exactly one more; a microsecond earlier, none.
            let interval = SECOND.div_ceil(n);
            assert_eq!(flood(&tiers, &mut states, start + interval - 1, 3), 0);
            assert_eq!(flood(&tiers, &mut states, start + interval, 3), 1);
        }
    }

    #[test]
    fn sustained_admits_its_limit_then_one_per_interval() {
        for plan in Plan::ALL {
            let tiers = plan_tiers(plan);
            let (n, m) = (tiers[0].limit, tiers[1].limit);
            let mut states = [State::default(); 2];
            let mut now = 1_000 * SECOND;
            let mut admitted = 0;
            // Bursts a second apart (the burst tier is full again each time),
            // until the sustained tier refuses.
            let refusal = loop {
                let before = admitted;
                for _ in 0..n {
                    let outcome = check(&tiers, &mut states, now);
                    if !outcome.allowed {
                        break;
                    }
                    admitted += 1;
                }
                if admitted - before < n {
                    break check(&tiers, &mut states, now);
                }
                now += SECOND;
            };
            assert_eq!(refusal.denied_by, Some(1), "{plan}");
            // M at once, plus what the sustained tier refilled meanwhile.
            let elapsed = now - 1_000 * SECOND;
            assert_eq!(admitted, m + elapsed * m / (60 * SECOND), "{plan}");
            assert_eq!(refusal.retry_us, refusal.tiers[1].next_us);
        }
    }

    #[test]
    fn a_refusal_spends_neither_tier() {
        let tiers = [Tier::per_second(2), Tier::per_minute(4)];
        let mut states = [State::default(); 2];
        let t0 = 50 * SECOND;
        assert_eq!(flood(&tiers, &mut states, t0, 12), 2);
        // Ten refusals by the burst tier left the sustained tier at 2.
        let status = check(&tiers, &mut states, t0).tiers;
        assert_eq!(status[1].remaining, 2);
        assert_eq!(flood(&tiers, &mut states, t0 + SECOND, 5), 2);
        // Now the sustained tier refuses, and leaves the burst tier alone.
        let refused = check(&tiers, &mut states, t0 + 2 * SECOND);
        assert_eq!(refused.denied_by, Some(1));
        assert_eq!(refused.tiers[0].remaining, 2);
        assert_eq!(refused.retry_us, 15 * SECOND - 2 * SECOND);
    }

    #[test]
    fn status_reports_remaining_next_and_reset() {
        let tiers = [Tier::per_second(20), Tier::per_minute(100)];
        let mut states = [State::default(); 2];
        let first = check(&tiers, &mut states, 10 * SECOND);
        assert_eq!(
            first.tiers[0],
            TierStatus {
                remaining: 19,
                next_us: 50_000,
                reset_us: 50_000
            }
        );
        assert_eq!(
            first.tiers[1],
            TierStatus {
                remaining: 99,
                next_us: 600_000,
                reset_us: 600_000
            }
        );
        let idle = check(&tiers, &mut [State::default(); 2], 0);
        assert_eq!(idle.tiers[0].remaining, 19);
        assert!(is_idle(&tiers, &states, 11 * SECOND));
    }

    #[test]
    fn a_clock_stepping_back_refills_nothing() {
        let tiers = [Tier::per_second(1)];
        let mut states = [State::default()];
        assert!(check(&tiers, &mut states, 10 * SECOND).allowed);
        assert!(!check(&tiers, &mut states, 5 * SECOND).allowed);
        assert!(!check(&tiers, &mut states, 10 * SECOND + 999_999).allowed);
        assert!(check(&tiers, &mut states, 11 * SECOND).allowed);
    }

    #[test]
    fn peek_spends_nothing_and_charge_spends_past_the_limit() {
        let tiers = [Tier::per_minute(2)];
        let mut states = [State::default()];
        let fresh = peek(&tiers, &states, SECOND);
        assert!(fresh.allowed);
        assert_eq!(fresh.tiers[0].remaining, 2);
        assert_eq!(states, [State::default()]);
        for _ in 0..3 {
            charge(&tiers, &mut states, SECOND);
        }
        let blocked = peek(&tiers, &states, SECOND);
        assert!(!blocked.allowed);
        // Three charges on a budget of two: a minute until one fits again.
        assert_eq!(blocked.retry_us, 60 * SECOND);
        for _ in 0..100 {
            charge(&tiers, &mut states, SECOND);
        }
        // Overshoot is capped at one extra window.
        assert_eq!(
            peek(&tiers, &states, SECOND).tiers[0].reset_us,
            120 * SECOND
        );
        assert!(peek(&tiers, &states, 121 * SECOND).allowed);
    }
}
