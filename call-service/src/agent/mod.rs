//! The voice agent: what it says (a playbook per purpose, in a language
//! pack) and how it understands the reply (a `LanguageModel`). Plain Rust:
//! the runner connects it to a telephone line and to storage.

pub mod facts;
mod format;
pub mod nlu;
pub mod pack;
pub mod packs;
pub mod playbook;
pub mod summary;

pub use playbook::{Act, AgentLine, Outcome, Playbook};

/// The agent introduces itself with this name.
pub const AGENT_NAME: &str = "Ava";
