//! orders-service's configuration, read from the environment.

use crate::validate;
use barpel_platform::{
    config::{ConfigError, Env},
    service::BackendConfig,
};

/// Everything orders-service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address (`ORDERS_SERVICE_ADDR`, default `127.0.0.1:50052`),
    /// schema (`ORDERS_SERVICE_DB_SCHEMA`, default `orders`), database and bus.
    pub backend: BackendConfig,
    /// Region in which national phone formats (`(415) 555-1234`) are read
    /// when a request gives no `phone_region` (`ORDERS_DEFAULT_PHONE_REGION`,
    /// ISO 3166 alpha-2, default `US`, as `POST /v1/calls` reads numbers).
    pub default_phone_region: String,
}

impl Config {
    /// The defaults, around a given backend (tests build configs this way).
    pub fn new(backend: BackendConfig) -> Self {
        Self {
            backend,
            default_phone_region: "US".into(),
        }
    }

    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = Self::new(BackendConfig::from_env(
            env,
            "ORDERS_SERVICE",
            50052,
            "orders",
        )?);
        let var = "ORDERS_DEFAULT_PHONE_REGION";
        let raw = env.string(var, &defaults.default_phone_region);
        let region = validate::region(&raw).map_err(|_| ConfigError {
            var: var.into(),
            value: raw.clone(),
            reason: "expected an ISO 3166 alpha-2 region such as US or GB".into(),
        })?;
        Ok(Self {
            default_phone_region: region,
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_region_is_read_and_checked() {
        let config = Config::from_env(&Env::from_pairs([("ORDERS_DEFAULT_PHONE_REGION", "gb")]));
        assert_eq!(
            config.map(|c| c.default_phone_region).ok().as_deref(),
            Some("GB")
        );
        let err = Config::from_env(&Env::from_pairs([("ORDERS_DEFAULT_PHONE_REGION", "UK")]));
        let text = err.map(|_| ()).unwrap_err().to_string();
        assert!(text.contains("ORDERS_DEFAULT_PHONE_REGION"), "{text}");
        assert_eq!(
            Config::from_env(&Env::from_pairs([]))
                .map(|c| c.default_phone_region)
                .ok()
                .as_deref(),
            Some("US")
        );
    }
}
