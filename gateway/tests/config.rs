//! A bad configuration value stops start-up with a message that names the
//! variable, before anything is touched.

use std::process::Command;

fn run_gateway(var: &str, value: &str) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_barpel-gateway"))
        .env(var, value)
        .output()
        .expect("run barpel-gateway");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn bad_listen_address_is_named() {
    let (code, stderr) = run_gateway("GATEWAY_ADDR", "localhost");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("GATEWAY_ADDR=\"localhost\""), "{stderr}");
}

#[test]
fn bad_urls_and_numbers_are_named() {
    for (var, value) in [
        ("DATABASE_URL", "mysql://localhost/barpel"),
        ("REDIS_URL", "localhost:6379"),
        ("REQUEST_TIMEOUT_MS", "ten"),
        ("API_KEY_CACHE_TTL_MS", "3600000"),
        ("LOG_FORMAT", "xml"),
        ("RATE_LIMIT_REDIS_TIMEOUT_MS", "fast"),
        ("RATE_LIMIT_REDIS_PROBE_MS", "0"),
        ("RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE", "0"),
        ("TRUST_FORWARDED_FOR", "maybe"),
    ] {
        let (code, stderr) = run_gateway(var, value);
        assert_eq!(code, Some(2), "{var}: {stderr}");
        assert!(stderr.contains(var), "{var}: {stderr}");
    }
}
