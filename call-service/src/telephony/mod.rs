//! Telephony is a trait: the runner dials through it and talks over the
//! line it returns. Test mode always uses the built-in simulator; live
//! mode needs a configured provider (none ships yet, so live calls are
//! refused at creation with `telephony_not_configured`).

pub mod simulator;

use crate::{agent::AgentLine, call::Purpose, language::Lang};
use futures::future::BoxFuture;

/// Who to call.
#[derive(Debug, Clone)]
pub struct Dial {
    pub call_id: String,
    /// E.164.
    pub to: String,
    pub lang: Lang,
    pub purpose: Purpose,
}

/// How the dial ended.
pub enum Dialed {
    /// A person answered.
    Human(Box<dyn Line>),
    /// An answering machine picked up; the agent may leave a message.
    Voicemail(Box<dyn Line>),
    NoAnswer,
    Busy,
    /// The carrier could not place the call.
    Failed {
        reason: String,
    },
}

/// What the agent heard back.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub text: String,
    /// Conversation seconds between the agent stopping and the customer
    /// starting to speak.
    pub pause: f64,
    /// Conversation seconds the customer spoke for.
    pub seconds: f64,
}

/// Places calls.
pub trait Telephony: Send + Sync {
    /// Rings the number; resolves when it is answered or gives up. Time
    /// passes here as it does on a real line (the simulator scales it).
    fn dial(&self, dial: Dial) -> BoxFuture<'static, Dialed>;
}

/// A connected call.
pub trait Line: Send {
    /// Speaks a line; resolves when it has been said, with how many
    /// conversation seconds it took.
    fn say<'a>(&'a mut self, line: &'a AgentLine) -> BoxFuture<'a, f64>;
    /// Waits for the reply; `None` when the other side hung up.
    fn listen(&mut self) -> BoxFuture<'_, Option<Heard>>;
}
