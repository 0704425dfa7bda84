//! The API key format: `barpel_sk_{live|test}_` + 30 random base62
//! characters + a 6-character checksum of what precedes it.
//!
//! The checksum lets the gateway refuse a mistyped or truncated key without
//! a database lookup, and lets secret scanners recognise real keys.

use rand::RngExt;
use sha2::{Digest, Sha256};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LEN: usize = 30;
const CHECKSUM_LEN: usize = 6;
const LIVE_PREFIX: &str = "barpel_sk_live_";
const TEST_PREFIX: &str = "barpel_sk_test_";

/// Why a presented key was refused before any lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormatError {
    /// Not `barpel_sk_live_…` or `barpel_sk_test_…`.
    UnknownPrefix,
    /// Wrong length or characters outside base62.
    Malformed,
    /// Right shape, wrong checksum: mistyped or truncated.
    BadChecksum,
}

/// A syntactically valid key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    pub livemode: bool,
    /// SHA-256 of the whole key, what the database stores.
    pub hash: [u8; 32],
}

/// A newly generated key; `secret` is shown once, then only the rest is kept.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub secret: String,
    pub hash: [u8; 32],
    /// `barpel_sk_test_` plus the first 4 random characters.
    pub prefix: String,
    pub last4: String,
}

/// Generates a key for the mode.
pub fn generate(livemode: bool) -> NewKey {
    let mode_prefix = if livemode { LIVE_PREFIX } else { TEST_PREFIX };
    let mut rng = rand::rng();
    let random: String = (0..RANDOM_LEN)
        .map(|_| BASE62[rng.random_range(0..62)] as char)
        .collect();
    let body = format!("{mode_prefix}{random}");
    let secret = format!("{body}{}", checksum(&body));
    NewKey {
        hash: hash(&secret),
        prefix: format!("{mode_prefix}{}", &random[..4]),
        last4: secret[secret.len() - 4..].to_owned(),
        secret,
    }
}

/// Checks the shape and checksum of a presented key.
pub fn parse(key: &str) -> Result<ParsedKey, KeyFormatError> {
    let (livemode, rest) = if let Some(rest) = key.strip_prefix(LIVE_PREFIX) {
        (true, rest)
    } else if let Some(rest) = key.strip_prefix(TEST_PREFIX) {
        (false, rest)
    } else {
        return Err(KeyFormatError::UnknownPrefix);
    };
    if rest.len() != RANDOM_LEN + CHECKSUM_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(KeyFormatError::Malformed);
    }
    let (body, sum) = key.split_at(key.len() - CHECKSUM_LEN);
    if checksum(body) != sum {
        return Err(KeyFormatError::BadChecksum);
    }
    Ok(ParsedKey {
        livemode,
        hash: hash(key),
    })
}

fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The first 32 bits of SHA-256(body), as 6 base62 digits (62^6 > 2^32).
fn checksum(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let mut n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) as u64;
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_with_their_mode() {
        let live = generate(true);
        let test = generate(false);
        assert!(live.secret.starts_with("barpel_sk_live_"));
        assert_eq!(live.secret.len(), LIVE_PREFIX.len() + 36);
        assert_eq!(
            parse(&live.secret),
            Ok(ParsedKey {
                livemode: true,
                hash: live.hash
            })
        );
        assert_eq!(parse(&test.secret).map(|k| k.livemode), Ok(false));
        assert!(test.secret.ends_with(&test.last4));
        assert!(test.secret.starts_with(&test.prefix));
    }

    #[test]
    fn refuses_bad_shapes_before_lookup() {
        let key = generate(false).secret;
        assert_eq!(parse("sk_test_abc"), Err(KeyFormatError::UnknownPrefix));
        assert_eq!(parse(&key[..key.len() - 1]), Err(KeyFormatError::Malformed));
        assert_eq!(parse(&format!("{key}-")), Err(KeyFormatError::Malformed));
        let mut typo = key.clone().into_bytes();
        typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap_or_default();
        assert_eq!(parse(&typo), Err(KeyFormatError::BadChecksum));
    }
}
