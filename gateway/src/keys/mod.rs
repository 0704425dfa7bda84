//! Accounts, plans and API keys: the key format, where keys are stored, and
//! the lookup cache authentication goes through.

pub mod cache;
pub mod format;
pub mod plan;
pub mod store;

pub use plan::{Limits, Plan};
pub use store::{Account, ApiKey, KeyLookup, Principal};
