//! The per-account limit as middleware, between authentication and
//! idempotency: every authenticated response carries the headers, and a
//! request over the limit gets a 429 naming the plan and the tier.

use super::{
    headers::{self, ACCOUNT_POLICIES},
    limiter::{BucketId, Decision},
};
use crate::{
    http::{ApiError, metrics::ReasonLabels},
    keys::{Plan, Principal},
    state::AppState,
};
use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use barpel_api::ErrorType;

/// Middleware for authenticated routes.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(principal) = request.extensions().get::<Principal>() else {
        return ApiError::internal("rate limit layer mounted without authentication")
            .into_response();
    };
    let plan = principal.plan;
    let bucket = BucketId {
        account_id: principal.account_id.clone(),
        livemode: principal.livemode,
        limits: principal.limits,
    };
    let decision = state.rate_limits.accounts.check(&bucket).await;
    let mut response = if decision.outcome.allowed {
        next.run(request).await
    } else {
        let tier = ACCOUNT_POLICIES[decision.outcome.denied_by.unwrap_or(0)];
        state
            .metrics
            .rate_limited
            .get_or_create(&ReasonLabels {
                reason: tier.to_owned(),
            })
            .inc();
        refusal(plan, &decision).into_response()
    };
    headers::write(
        response.headers_mut(),
        &ACCOUNT_POLICIES,
        &decision.tiers,
        &decision.outcome,
    );
    response
}

/// 429: "Rate limit exceeded for the starter plan: 20 requests per second
/// (burst). Retry after 1 s."
fn refusal(plan: Plan, decision: &Decision) -> ApiError {
    let index = decision.outcome.denied_by.unwrap_or(0);
    let limit = decision.tiers[index].limit;
    let per = if index == 0 { "second" } else { "minute" };
    let requests = if limit == 1 { "request" } else { "requests" };
    let retry = headers::retry_after(&decision.outcome);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorType::RateLimitError,
        "rate_limit_exceeded",
        format!(
            "Rate limit exceeded for the {plan} plan: {limit} {requests} per {per} ({}). Retry after {retry} s.",
            ACCOUNT_POLICIES[index]
        ),
    )
    .with_retry_after(retry)
}
