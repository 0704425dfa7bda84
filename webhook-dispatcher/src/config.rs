//! webhook-dispatcher's configuration, read from the environment.

use barpel_platform::{
    config::{ConfigError, Env},
    service::BackendConfig,
};

/// Everything webhook-dispatcher needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address (`WEBHOOK_DISPATCHER_ADDR`, default `127.0.0.1:50054`),
    /// schema (`WEBHOOK_DISPATCHER_DB_SCHEMA`, default `webhooks`), database and bus.
    pub backend: BackendConfig,
}

impl Config {
    /// The defaults, around a given backend (tests build configs this way).
    pub fn new(backend: BackendConfig) -> Self {
        Self { backend }
    }

    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            backend: BackendConfig::from_env(env, "WEBHOOK_DISPATCHER", 50054, "webhooks")?,
        })
    }
}
