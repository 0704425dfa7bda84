//! Plans and the request limits they grant (DESIGN §5).

use std::{fmt, str::FromStr};

/// An account's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plan {
    Starter,
    Growth,
    Scale,
    Enterprise,
}

/// Requests allowed per account and mode: a sustained per-minute rate and a
/// per-second burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    pub per_minute: u32,
    pub per_second: u32,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Starter, Plan::Growth, Plan::Scale, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Growth => "growth",
            Plan::Scale => "scale",
            Plan::Enterprise => "enterprise",
        }
    }

    /// The plan's published limits; `None` for enterprise, whose limits are
    /// set per account.
    pub fn limits(self) -> Option<Limits> {
        let (per_minute, per_second) = match self {
            Plan::Starter => (100, 20),
            Plan::Growth => (500, 50),
            Plan::Scale => (2000, 200),
            Plan::Enterprise => return None,
        };
        Some(Limits {
            per_minute,
            per_second,
        })
    }
}

impl Plan {
    /// Calls an account may run at once (per mode) unless the account sets
    /// its own; more are queued, not refused.
    pub fn max_concurrent_calls(self) -> u32 {
        match self {
            Plan::Starter => 10,
            Plan::Growth => 50,
            Plan::Scale => 250,
            Plan::Enterprise => 1000,
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Plan {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!("unknown plan {s:?}; expected starter, growth, scale or enterprise")
            })
    }
}
