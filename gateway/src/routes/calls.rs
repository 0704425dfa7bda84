//! `/v1/calls`: place AI calls, read them, list them, cancel them.

use crate::{
    backends::tenant,
    http::{ApiError, ApiJson, ApiQuery, idempotency::IDEMPOTENCY_KEY},
    keys::Principal,
    routes::pagination,
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::HeaderMap,
};
use barpel_api::{Call, CallPurpose, CallStatus, CreateCall, List};
use barpel_proto::{
    calls::v1::{CancelCallRequest, CreateCallRequest, GetCallRequest, ListCallsRequest},
    json::struct_from_map,
    time::timestamp,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_call, list_calls))
        .routes(routes!(get_call))
        .routes(routes!(cancel_call))
}

/// Start an outbound AI call.
///
/// The call is stored `queued` and dialed as soon as a line is free (each
/// account may run a number of calls at once by plan; more are queued, not
/// refused). With a test key the call is simulated: the outcome follows the
/// magic test numbers, nobody is called and nothing is charged.
#[utoipa::path(
    post, path = "/v1/calls", tag = "calls",
    request_body = CreateCall,
    responses((status = 200, description = "The new call, usually still `queued`.", body = Call)),
)]
async fn create_call(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateCall>,
) -> Result<Json<Call>, ApiError> {
    let request = CreateCallRequest {
        tenant: tenant(&principal),
        phone_number: body.phone_number,
        purpose: body.purpose.to_proto() as i32,
        context: body.context.as_ref().map(struct_from_map),
        language: body.language.unwrap_or_default(),
        metadata: body.metadata.as_ref().map(struct_from_map),
        idempotency_key: headers
            .get(&IDEMPOTENCY_KEY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        max_concurrent_calls: principal.max_concurrent_calls,
    };
    let mut client = state.backends.calls.clone();
    let call = state
        .backends
        .call(client.create_call(state.backends.request(request)))
        .await?;
    Ok(Json(Call::from(&call)))
}

/// Retrieve a call: its status, its transcript (partial while the call is
/// running), its resolution and metadata.
#[utoipa::path(
    get, path = "/v1/calls/{id}", tag = "calls",
    params(("id" = String, Path, description = "The call's id (`call_…`).")),
    responses((status = 200, description = "The call.", body = Call)),
)]
async fn get_call(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<Call>, ApiError> {
    let request = GetCallRequest {
        tenant: tenant(&principal),
        id,
    };
    let mut client = state.backends.calls.clone();
    let call = state
        .backends
        .call(client.get_call(state.backends.request(request)))
        .await?;
    Ok(Json(Call::from(&call)))
}

/// Filters and cursor of `GET /v1/calls`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCallsQuery {
    /// 1 to 100, default 20.
    limit: Option<u32>,
    /// A call id: return the calls created before it (the next page).
    starting_after: Option<String>,
    /// A call id: return the calls created after it (the previous page).
    ending_before: Option<String>,
    /// Only calls in this status.
    #[param(inline)]
    status: Option<CallStatus>,
    /// Only calls with this purpose.
    #[param(inline)]
    purpose: Option<CallPurpose>,
    /// Only calls to this number (E.164).
    phone_number: Option<String>,
    /// Only calls created at or after this time (RFC 3339, a date, or Unix seconds).
    #[serde(rename = "created[gte]")]
    created_gte: Option<String>,
    /// Only calls created at or before this time (RFC 3339, a date, or Unix seconds).
    #[serde(rename = "created[lte]")]
    created_lte: Option<String>,
}

/// List calls, newest first.
#[utoipa::path(
    get, path = "/v1/calls", tag = "calls",
    params(ListCallsQuery),
    responses((status = 200, description = "A page of calls, newest first.", body = List<Call>)),
)]
async fn list_calls(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListCallsQuery>,
) -> Result<Json<List<Call>>, ApiError> {
    let request = ListCallsRequest {
        tenant: tenant(&principal),
        page: Some(pagination::page(
            query.limit,
            query.starting_after,
            query.ending_before,
        )?),
        status: query.status.map(|s| s.to_proto() as i32),
        purpose: query.purpose.map(|p| p.to_proto() as i32),
        phone_number: query.phone_number,
        created_gte: instant("created[gte]", query.created_gte.as_deref(), false)?.map(timestamp),
        created_lte: instant("created[lte]", query.created_lte.as_deref(), true)?.map(timestamp),
    };
    let mut client = state.backends.calls.clone();
    let page = state
        .backends
        .call(client.list_calls(state.backends.request(request)))
        .await?;
    Ok(Json(List::new(
        page.calls.iter().map(Call::from).collect(),
        page.has_more,
    )))
}

/// Cancel a call that is queued, ringing or in progress.
///
/// A call that has already ended cannot be canceled (409).
#[utoipa::path(
    post, path = "/v1/calls/{id}/cancel", tag = "calls",
    params(("id" = String, Path, description = "The call's id (`call_…`).")),
    responses((status = 200, description = "The call, now `canceled`.", body = Call)),
)]
async fn cancel_call(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<Call>, ApiError> {
    let request = CancelCallRequest {
        tenant: tenant(&principal),
        id,
    };
    let mut client = state.backends.calls.clone();
    let call = state
        .backends
        .call(client.cancel_call(state.backends.request(request)))
        .await?;
    Ok(Json(Call::from(&call)))
}

/// Reads a time filter: RFC 3339, `YYYY-MM-DD` (start of that day UTC, or
/// its end for an upper bound), or Unix seconds.
fn instant(
    param: &str,
    raw: Option<&str>,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(raw) = raw.map(str::trim) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    if let Ok(seconds) = raw.parse::<i64>()
        && let Some(t) = DateTime::from_timestamp(seconds, 0)
    {
        return Ok(Some(t));
    }
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let time = if end_of_day {
            day.and_hms_milli_opt(23, 59, 59, 999)
        } else {
            day.and_hms_opt(0, 0, 0)
        };
        return Ok(time.map(|t| t.and_utc()));
    }
    Err(ApiError::invalid(
        param.to_owned(),
        "parameter_invalid",
        format!(
            "{param} must be an RFC 3339 time (2026-03-15T14:30:00Z), a date (2026-03-15) or Unix seconds; got {raw:?}."
        ),
    ))
}
