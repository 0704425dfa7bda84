//! Barpel's public JSON models: what REST responses, request bodies and
//! webhook payloads look like, converted from the proto contracts. The
//! gateway and the webhook dispatcher both render through these types, so
//! an object looks the same in a response, an event and a webhook.
//!
//! Field names and enum spellings here are the public API: changing one is
//! a breaking change.

pub mod call;
pub mod error;
pub mod list;
pub mod money;
pub mod order;
mod proto_enum;
pub mod time;

pub use call::{Call, CallPurpose, CallResolution, CallStatus, CreateCall};
pub use error::{ErrorBody, ErrorDetail, ErrorType};
pub use list::List;
pub use money::Money;
pub use order::{LookupType, Order, OrderLookup, OrderStatus, UpsertOrder};
