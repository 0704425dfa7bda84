//! Typed configuration from environment variables (12-factor) with local
//! defaults, so `barpel up` works on a bare machine and a bad value stops
//! start-up with a message that names the variable.

use std::{collections::HashMap, fmt::Display, str::FromStr, time::Duration};

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid value for {var}={value:?}: {reason}")]
pub struct ConfigError {
    /// The environment variable's name.
    pub var: String,
    /// What it was set to.
    pub value: String,
    /// Why it was refused, with what is expected.
    pub reason: String,
}

/// Where configuration is read from: the process environment, or a fixed
/// map in tests (so tests never mutate the process environment).
#[derive(Debug, Clone, Default)]
pub struct Env {
    overrides: Option<HashMap<String, String>>,
}

impl Env {
    /// The process environment.
    pub fn os() -> Self {
        Self { overrides: None }
    }

    /// Only the given variables, as if the environment held nothing else.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let map = pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Self {
            overrides: Some(map),
        }
    }

    /// The raw value, if set and not blank.
    pub fn get(&self, var: &str) -> Option<String> {
        let value = match &self.overrides {
            Some(map) => map.get(var).cloned(),
            None => std::env::var(var).ok(),
        };
        value.filter(|v| !v.trim().is_empty())
    }

    /// A string with a default.
    pub fn string(&self, var: &str, default: &str) -> String {
        self.get(var).unwrap_or_else(|| default.to_owned())
    }

    /// Any `FromStr` value with a default; `expected` describes a valid value
    /// for the error message.
    pub fn parse<T>(&self, var: &str, default: T, expected: &str) -> Result<T, ConfigError>
    where
        T: FromStr,
        T::Err: Display,
    {
        match self.get(var) {
            None => Ok(default),
            Some(raw) => raw.trim().parse().map_err(|e| ConfigError {
                var: var.to_owned(),
                value: raw.clone(),
                reason: format!("{e} (expected {expected})"),
            }),
        }
    }

    /// A duration in milliseconds.
    pub fn millis(&self, var: &str, default: Duration) -> Result<Duration, ConfigError> {
        let ms = self.parse(
            var,
            default.as_millis() as u64,
            "a whole number of milliseconds",
        )?;
        Ok(Duration::from_millis(ms))
    }

    /// A boolean: `true`/`false`, `1`/`0`, `yes`/`no`.
    pub fn flag(&self, var: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(var).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(ConfigError {
                var: var.to_owned(),
                value: v,
                reason: "expected true or false".into(),
            }),
        }
    }

    /// A URL whose scheme must be one of `schemes`.
    pub fn url(&self, var: &str, default: &str, schemes: &[&str]) -> Result<String, ConfigError> {
        let value = self.string(var, default);
        let scheme = value.split_once("://").map(|(s, _)| s);
        match scheme {
            Some(s) if schemes.contains(&s) => Ok(value),
            _ => Err(ConfigError {
                var: var.to_owned(),
                value,
                reason: format!(
                    "expected a URL starting with {}://",
                    schemes.join(":// or ")
                ),
            }),
        }
    }

    /// A SQL/NATS-safe name: lower-case letters, digits and `_`, starting
    /// with a letter (schema names and stream names are built from these).
    pub fn name(&self, var: &str, default: &str) -> Result<String, ConfigError> {
        let value = self.string(var, default);
        check_name(&value).map_err(|reason| ConfigError {
            var: var.to_owned(),
            value: value.clone(),
            reason,
        })?;
        Ok(value)
    }
}

/// Names that go into SQL identifiers and NATS subjects unquoted.
pub fn check_name(value: &str) -> Result<(), String> {
    let ok = value.len() <= 48
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err("expected 1-48 letters, digits or _, starting with a letter".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    #[test]
    fn defaults_apply_when_unset_or_blank() {
        let env = Env::from_pairs([("A", "  ")]);
        assert_eq!(env.string("A", "x"), "x");
        assert_eq!(env.parse("B", 3u32, "a number").ok(), Some(3));
    }

    #[test]
    fn bad_value_names_the_variable() {
        let env = Env::from_pairs([("GATEWAY_ADDR", "localhost")]);
        let err = env
            .parse::<SocketAddr>("GATEWAY_ADDR", ([127, 0, 0, 1], 8080).into(), "host:port")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("GATEWAY_ADDR=\"localhost\""), "{text}");
        assert!(text.contains("expected host:port"), "{text}");
    }

    #[test]
    fn url_scheme_and_flags_are_checked() {
        let env = Env::from_pairs([("U", "mysql://x"), ("F", "maybe")]);
        assert!(env.url("U", "", &["postgres", "postgresql"]).is_err());
        assert!(env.flag("F", false).is_err());
        assert!(env.name("N", "Events_1").is_ok());
        assert!(
            Env::from_pairs([("N", "1bad-name")])
                .name("N", "x")
                .is_err()
        );
    }
}
