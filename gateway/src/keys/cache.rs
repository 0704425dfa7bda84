//! A short-lived cache of key lookups, so authentication costs a database
//! round trip at most once per key per TTL. Revocation therefore takes
//! effect within one TTL (≤ 60 s by configuration).

use super::store::{self, KeyLookup};
use sqlx::PgPool;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Bound on remembered keys: past it the cache starts afresh, so a flood of
/// random (well-formed) keys cannot grow memory without limit.
const MAX_ENTRIES: usize = 100_000;

pub struct KeyCache {
    pool: PgPool,
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], (KeyLookup, Instant)>>,
}

impl KeyCache {
    pub fn new(pool: PgPool, ttl: Duration) -> Self {
        Self {
            pool,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The key's state, from the cache when fresh.
    pub async fn lookup(&self, hash: &[u8; 32]) -> anyhow::Result<KeyLookup> {
        if let Some(hit) = self.fresh(hash) {
            return Ok(hit);
        }
        let found = store::lookup(&self.pool, hash).await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(*hash, (found.clone(), Instant::now()));
        Ok(found)
    }

    /// Whether the key authenticated when last looked up, however long ago
    /// (no database). The flood guard lets such keys pass uncharged; a key
    /// revoked since then is charged again after its next lookup.
    pub fn seen_active(&self, hash: &[u8; 32]) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        matches!(entries.get(hash), Some((KeyLookup::Active(_), _)))
    }

    fn fresh(&self, hash: &[u8; 32]) -> Option<KeyLookup> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(lookup, _)| lookup.clone())
    }
}
