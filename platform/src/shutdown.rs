//! Graceful shutdown: one token every task watches; SIGTERM or ctrl-c
//! cancels it.

pub use tokio_util::sync::CancellationToken as Shutdown;

/// Waits for SIGTERM or ctrl-c, then cancels `shutdown`. Returns early if
/// something else cancels it first.
pub async fn cancel_on_signal(shutdown: Shutdown) {
    tokio::select! {
        signal = terminate() => {
            tracing::info!(%signal, "shutdown requested");
            shutdown.cancel();
        }
        () = shutdown.cancelled() => {}
    }
}

async fn terminate() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "ctrl-c",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "ctrl-c"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "ctrl-c"
    }
}
