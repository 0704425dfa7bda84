//! orders-service's configuration, read from the environment.

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
}

impl Config {
    /// The defaults, around a given backend (tests build configs this way).
    pub fn new(backend: BackendConfig) -> Self {
        Self { backend }
    }

    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            backend: BackendConfig::from_env(env, "ORDERS_SERVICE", 50052, "orders")?,
        })
    }
}
