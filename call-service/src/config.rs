//! call-service's configuration, read from the environment.

use barpel_platform::{
    config::{ConfigError, Env},
    service::BackendConfig,
};

/// Everything call-service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address (`CALL_SERVICE_ADDR`, default `127.0.0.1:50051`),
    /// schema (`CALL_SERVICE_DB_SCHEMA`, default `calls`), database and bus.
    pub backend: BackendConfig,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            backend: BackendConfig::from_env(env, "CALL_SERVICE", 50051, "calls")?,
        })
    }
}
