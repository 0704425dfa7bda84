//! In-process GCRA buckets: the per-replica fallback while Redis is away,
//! and the per-address flood guard. Same math as Redis ([`gcra::check`]),
//! on this process's monotonic clock.

use super::gcra::{self, Outcome, State, Tier};
use std::{collections::HashMap, hash::Hash, sync::Mutex, time::Instant};

/// Bound on remembered buckets. Past it, buckets with their whole allowance
/// back are dropped (they equal fresh ones); if that is not enough, all are,
/// so a flood of new addresses or accounts cannot grow memory without limit.
const MAX_BUCKETS: usize = 100_000;

/// A bucket: the tiers it was made for, and their states.
type Bucket<const N: usize> = ([Tier; N], [State; N]);

/// Buckets of `N` tiers, one per key.
pub struct LocalBuckets<K, const N: usize> {
    buckets: Mutex<HashMap<K, Bucket<N>>>,
    started: Instant,
}

impl<K: Hash + Eq, const N: usize> Default for LocalBuckets<K, N> {
    fn default() -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            started: Instant::now(),
        }
    }
}

impl<K: Hash + Eq, const N: usize> LocalBuckets<K, N> {
    /// Decides one request for `key` and spends it if every tier admits it.
    pub fn check(&self, key: K, tiers: &[Tier; N]) -> Outcome<N> {
        self.with_bucket(key, tiers, gcra::check)
    }

    /// Spends one request for `key` even past the limit ([`gcra::charge`]).
    pub fn charge(&self, key: K, tiers: &[Tier; N]) -> Outcome<N> {
        self.with_bucket(key, tiers, gcra::charge)
    }

    /// What `check` would answer, spending nothing and remembering nothing.
    pub fn peek(&self, key: &K, tiers: &[Tier; N]) -> Outcome<N> {
        let now = self.now_us();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let states = match buckets.get(key) {
            Some((known, states)) if known == tiers => *states,
            _ => [State::default(); N],
        };
        gcra::peek(tiers, &states, now)
    }

    fn with_bucket(
        &self,
        key: K,
        tiers: &[Tier; N],
        step: fn(&[Tier; N], &mut [State; N], u64) -> Outcome<N>,
    ) -> Outcome<N> {
        let now = self.now_us();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&key) {
            buckets.retain(|_, (tiers, states)| !gcra::is_idle(tiers, states, now));
            if buckets.len() >= MAX_BUCKETS {
                buckets.clear();
            }
        }
        let entry = buckets
            .entry(key)
            .or_insert_with(|| (*tiers, [State::default(); N]));
        if entry.0 != *tiers {
            // The limits changed (a plan change): start afresh.
            *entry = (*tiers, [State::default(); N]);
        }
        step(tiers, &mut entry.1, now)
    }

    /// Forgets every bucket.
    pub fn clear(&self) {
        self.buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn now_us(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_separate_buckets() {
        let buckets = LocalBuckets::<&str, 1>::default();
        let tiers = [Tier::per_minute(2)];
        assert!(buckets.check("a", &tiers).allowed);
        assert!(buckets.check("a", &tiers).allowed);
        assert!(!buckets.check("a", &tiers).allowed);
        assert!(buckets.check("b", &tiers).allowed);
        assert!(buckets.peek(&"b", &tiers).allowed);
        assert!(!buckets.peek(&"a", &tiers).allowed);
        assert!(buckets.peek(&"c", &tiers).allowed);
    }

    #[test]
    fn new_limits_start_a_fresh_bucket() {
        let buckets = LocalBuckets::<&str, 1>::default();
        assert!(buckets.check("a", &[Tier::per_minute(1)]).allowed);
        assert!(!buckets.check("a", &[Tier::per_minute(1)]).allowed);
        assert!(buckets.check("a", &[Tier::per_minute(5)]).allowed);
    }
}
