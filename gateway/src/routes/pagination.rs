//! Cursor pagination parameters shared by every list route.

use crate::http::ApiError;
use barpel_proto::PageRequest;

/// Checks `limit` (1–100, default 20) and that at most one cursor is given.
pub fn page(
    limit: Option<u32>,
    starting_after: Option<String>,
    ending_before: Option<String>,
) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            "parameter_invalid",
            format!("limit must be between 1 and 100; got {limit}."),
        ));
    }
    if starting_after.is_some() && ending_before.is_some() {
        return Err(ApiError::invalid(
            "ending_before",
            "parameter_invalid",
            "Give starting_after or ending_before, not both.",
        ));
    }
    Ok(PageRequest {
        limit,
        starting_after: starting_after.unwrap_or_default(),
        ending_before: ending_before.unwrap_or_default(),
    })
}
