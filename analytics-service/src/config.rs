//! analytics-service's configuration, read from the environment.

use barpel_platform::{
    config::{ConfigError, Env},
    service::BackendConfig,
};

/// Everything analytics-service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address (`ANALYTICS_SERVICE_ADDR`, default `127.0.0.1:50053`),
    /// schema (`ANALYTICS_SERVICE_DB_SCHEMA`, default `analytics`), database and bus.
    pub backend: BackendConfig,
}

impl Config {
    /// The defaults, around a given backend (tests build configs this way).
    pub fn new(backend: BackendConfig) -> Self {
        Self { backend }
    }

    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            backend: BackendConfig::from_env(env, "ANALYTICS_SERVICE", 50053, "analytics")?,
        })
    }
}
