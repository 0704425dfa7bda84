//! The envelope of every list response.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A page of objects, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct List<T> {
    /// Always `list`.
    pub object: ListObject,
    pub data: Vec<T>,
    /// Whether more objects follow the last one in `data`.
    pub has_more: bool,
}

/// The `object` tag of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListObject {
    List,
}

impl<T> List<T> {
    pub fn new(data: Vec<T>, has_more: bool) -> Self {
        Self {
            object: ListObject::List,
            data,
            has_more,
        }
    }
}
