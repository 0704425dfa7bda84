//! Prefixed, random, time-ordered ids (`call_0Yx3…`).
//!
//! 128 bits: 48 bits of Unix milliseconds then 80 random bits, written as 22
//! base62 digits of fixed width. Base62's digits are in ASCII order, so ids
//! sort by creation time under byte-wise (`COLLATE "C"`) comparison, which
//! is what cursor pagination relies on; 80 random bits keep them unguessable.

use rand::RngExt;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const WIDTH: usize = 22; // 62^22 > 2^128

/// A new id with the given prefix, e.g. `new_id("call")` → `call_…`.
pub fn new_id(prefix: &str) -> String {
    let millis = chrono::Utc::now().timestamp_millis().max(0) as u128 & ((1 << 48) - 1);
    let random: u128 = rand::rng().random::<u128>() & ((1 << 80) - 1);
    format!("{prefix}_{}", base62((millis << 80) | random))
}

/// True when `id` has the prefix and the shape `new_id` produces. Used to
/// answer 404 for malformed ids without touching the database.
pub fn is_valid(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| body.len() == WIDTH && body.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn base62(mut n: u128) -> String {
    let mut out = [b'0'; WIDTH];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_fixed_width_and_valid() {
        let id = new_id("call");
        assert!(id.starts_with("call_"));
        assert_eq!(id.len(), "call_".len() + WIDTH);
        assert!(is_valid(&id, "call"));
        assert!(!is_valid(&id, "ord"));
        assert!(!is_valid("call_short", "call"));
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let first = new_id("evt");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_id("evt");
        assert!(first < second, "{first} !< {second}");
    }

    #[test]
    fn ids_are_unique() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| new_id("x")).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
