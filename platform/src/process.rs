//! What every service binary's `main` does: read config (exiting with a
//! message naming a bad variable), set up telemetry, start, and stop on
//! SIGTERM/ctrl-c.

use crate::{
    ServiceHandle, Shutdown,
    config::{ConfigError, Env},
    shutdown::cancel_on_signal,
    telemetry::{self, TelemetryConfig},
};
use std::{future::Future, process::ExitCode};

/// Runs one service as a process. `load` reads its config from the
/// environment; `start` starts it.
pub async fn run_service<C, L, S, F>(name: &'static str, load: L, start: S) -> ExitCode
where
    L: FnOnce(&Env) -> Result<C, ConfigError>,
    S: FnOnce(C, Shutdown) -> F,
    F: Future<Output = anyhow::Result<ServiceHandle>>,
{
    let env = Env::os();
    let loaded = TelemetryConfig::from_env(&env).and_then(|t| Ok((t, load(&env)?)));
    let (telemetry_config, config) = match loaded {
        Ok(both) => both,
        Err(e) => {
            eprintln!("{name}: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let _guard = match telemetry::init(name, &telemetry_config) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(2);
        }
    };
    let shutdown = Shutdown::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    let outcome = match start(config, shutdown.clone()).await {
        Ok(handle) => handle.wait().await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{name} failed: {e:#}");
            eprintln!("{name}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
