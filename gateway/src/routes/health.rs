//! Probes: `/healthz` (the process is alive), `/readyz` (Postgres, Redis
//! and every gRPC backend answer), and `/metrics` (Prometheus).

use crate::state::AppState;
use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde_json::{Map, Value, json};
use std::{fmt::Display, future::Future, time::Duration};

pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let mut checks = Map::new();
    let postgres = check(sqlx::query("SELECT 1").execute(&state.pool)).await;
    checks.insert("postgres".into(), postgres);
    let mut redis = state.redis.clone();
    let redis = check(redis::cmd("PING").query_async::<String>(&mut redis)).await;
    checks.insert("redis".into(), redis);
    for (name, problem) in state.backends.health().await {
        checks.insert(
            name.into(),
            problem.map_or_else(|| Value::from("ok"), Value::from),
        );
    }
    let ready = checks.values().all(|v| v == "ok");
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({"status": if ready { "ready" } else { "not_ready" }, "checks": checks});
    (status, Json(body))
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// "ok", or what went wrong, within two seconds.
async fn check<T, E: Display>(probe: impl Future<Output = Result<T, E>>) -> Value {
    match tokio::time::timeout(Duration::from_secs(2), probe).await {
        Ok(Ok(_)) => Value::from("ok"),
        Ok(Err(e)) => Value::from(e.to_string()),
        Err(_) => Value::from("timed out"),
    }
}
