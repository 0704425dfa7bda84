//! The call and its lifecycle, free of any transport or storage type.
//!
//! `queued → ringing → in_progress → completed`, or one of the terminal
//! failures (`no_answer`, `busy`, `voicemail`, `failed`, `canceled`). Every
//! transition is checked here; terminal states never change.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::{fmt, str::FromStr};

/// Why the merchant calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    CartRecovery,
    FollowUp,
    Notification,
    OrderStatus,
}

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Queued,
    Ringing,
    InProgress,
    Completed,
    NoAnswer,
    Busy,
    Voicemail,
    Failed,
    Canceled,
}

/// What the call achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    Resolved,
    Unresolved,
    CallbackRequested,
    Escalated,
    VoicemailLeft,
    Unreachable,
}

/// Who spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Agent,
    Customer,
}

/// One utterance, with its offset from the answer in simulated or real
/// conversation seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub role: Role,
    pub text: String,
    pub offset_seconds: f64,
}

/// A call as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub id: String,
    pub account_id: String,
    pub livemode: bool,
    pub status: Status,
    pub phone_number: String,
    pub purpose: Purpose,
    pub language: String,
    pub context: Map<String, Value>,
    pub metadata: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<u32>,
    /// `None` until the call connects.
    pub transcript: Option<Vec<Turn>>,
    pub resolution: Option<Resolution>,
    pub ended_reason: Option<String>,
    pub summary: Option<String>,
    pub csat: Option<u8>,
    pub escalated: bool,
    /// Minor units.
    pub cost_amount: i64,
    pub cost_currency: String,
}

/// A transition the state machine refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a call cannot go from {from} to {to}")]
pub struct IllegalTransition {
    pub from: Status,
    pub to: Status,
}

impl Status {
    pub const TERMINAL: [Status; 6] = [
        Status::Completed,
        Status::NoAnswer,
        Status::Busy,
        Status::Voicemail,
        Status::Failed,
        Status::Canceled,
    ];

    pub fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }

    /// Checks a transition. Ringing may end unanswered (`no_answer`,
    /// `busy`, `failed`) or reach voicemail; only an answered call
    /// (`in_progress`) can complete; anything not yet ended can be canceled
    /// or fail.
    pub fn check(self, to: Status) -> Result<(), IllegalTransition> {
        use Status::*;
        let allowed = match (self, to) {
            (from, _) if from.is_terminal() => false,
            (_, Canceled | Failed) => true,
            (Queued, Ringing) => true,
            (Ringing, InProgress | NoAnswer | Busy | Voicemail) => true,
            (InProgress, Completed) => true,
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// The event a transition into this status publishes, if any
    /// (`escalation.created` is published separately, mid-call).
    pub fn event_type(self) -> Option<&'static str> {
        match self {
            Status::InProgress => Some("call.started"),
            Status::Completed | Status::Voicemail => Some("call.completed"),
            Status::NoAnswer | Status::Busy | Status::Failed | Status::Canceled => {
                Some("call.failed")
            }
            Status::Queued | Status::Ringing => None,
        }
    }
}

/// String spellings shared by the database and logs; the public API's
/// spellings live in the `api` crate and match these.
macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name,)* }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)*
                    other => Err(format!("unknown {} {other:?}", stringify!($ty))),
                }
            }
        }
    };
}

names!(Purpose {
    CartRecovery = "cart_recovery",
    FollowUp = "follow_up",
    Notification = "notification",
    OrderStatus = "order_status",
});

names!(Status {
    Queued = "queued",
    Ringing = "ringing",
    InProgress = "in_progress",
    Completed = "completed",
    NoAnswer = "no_answer",
    Busy = "busy",
    Voicemail = "voicemail",
    Failed = "failed",
    Canceled = "canceled",
});

names!(Resolution {
    Resolved = "resolved",
    Unresolved = "unresolved",
    CallbackRequested = "callback_requested",
    Escalated = "escalated",
    VoicemailLeft = "voicemail_left",
    Unreachable = "unreachable",
});

names!(Role {
    Agent = "agent",
    Customer = "customer",
});

#[cfg(test)]
mod tests {
    use super::Status::*;

    #[test]
    fn the_happy_path_is_allowed() {
        assert!(Queued.check(Ringing).is_ok());
        assert!(Ringing.check(InProgress).is_ok());
        assert!(InProgress.check(Completed).is_ok());
    }

    #[test]
    fn illegal_transitions_are_refused() {
        assert!(
            Queued.check(Completed).is_err(),
            "cannot complete unanswered"
        );
        assert!(Queued.check(InProgress).is_err(), "must ring first");
        assert!(InProgress.check(Ringing).is_err(), "no going back");
        assert!(InProgress.check(NoAnswer).is_err());
        for terminal in [Completed, NoAnswer, Busy, Voicemail, Failed, Canceled] {
            assert!(terminal.check(Canceled).is_err(), "{terminal} is terminal");
            assert!(terminal.check(Failed).is_err(), "{terminal} is terminal");
        }
    }

    #[test]
    fn anything_live_can_be_canceled_or_fail() {
        for live in [Queued, Ringing, InProgress] {
            assert!(live.check(Canceled).is_ok());
            assert!(live.check(Failed).is_ok());
        }
    }

    #[test]
    fn events_follow_the_design_table() {
        assert_eq!(InProgress.event_type(), Some("call.started"));
        assert_eq!(Voicemail.event_type(), Some("call.completed"));
        assert_eq!(Busy.event_type(), Some("call.failed"));
        assert_eq!(Ringing.event_type(), None);
    }
}
