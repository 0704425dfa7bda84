//! How a lookup query is read: by order number, email or phone, either as
//! the caller says or detected from the query itself.
//!
//! Detection, in order: an `@` means an email; a leading `#` means an order
//! number; something made only of phone characters that is a valid number
//! in the region means a phone, with the order number as a fallback (plenty
//! of order numbers are ten digits, and a caller reading digits aloud does
//! not say which they are); anything else is an order number.

use crate::validate;
use barpel_platform::{ServiceError, phone};
use barpel_proto::orders::v1 as pb;

/// Longest query accepted (the longest email).
const MAX_QUERY: usize = 254;
/// Fewest and most digits of a phone number (E.164 allows 15).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// What a query is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupType {
    OrderNumber,
    Email,
    Phone,
}

impl LookupType {
    /// From the proto enum; `None` means "detect". A number the contract
    /// does not define is a 400, not a silent detection.
    pub fn from_proto(value: i32) -> Result<Option<Self>, ServiceError> {
        let kind = pb::LookupType::try_from(value).map_err(|_| {
            ServiceError::invalid(
                "type",
                "parameter_invalid",
                "type must be order_number, email or phone.",
            )
        })?;
        Ok(match kind {
            pb::LookupType::Unspecified => None,
            pb::LookupType::OrderNumber => Some(Self::OrderNumber),
            pb::LookupType::Email => Some(Self::Email),
            pb::LookupType::Phone => Some(Self::Phone),
        })
    }

    pub fn to_proto(self) -> pb::LookupType {
        match self {
            Self::OrderNumber => pb::LookupType::OrderNumber,
            Self::Email => pb::LookupType::Email,
            Self::Phone => pb::LookupType::Phone,
        }
    }

    /// For messages: "order number", "email", "phone number".
    pub fn describe(self) -> &'static str {
        match self {
            Self::OrderNumber => "order number",
            Self::Email => "email",
            Self::Phone => "phone number",
        }
    }
}

/// One search to run: a type and the normalised value to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub kind: LookupType,
    /// Order number without `#`, email as given (matched with `lower()`),
    /// or E.164.
    pub value: String,
}

/// The searches `query` stands for, in the order to try them: one when the
/// type is given, one or two when it is detected. `region` reads national
/// phone formats and must already be valid.
pub fn plan(
    query: &str,
    kind: Option<LookupType>,
    region: &str,
) -> Result<Vec<Search>, ServiceError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(ServiceError::invalid(
            "query",
            "parameter_missing",
            "Missing required parameter: query (an order number, email or phone number).",
        ));
    }
    if query.chars().count() > MAX_QUERY {
        return Err(ServiceError::invalid(
            "query",
            "parameter_invalid",
            format!("query must be at most {MAX_QUERY} characters."),
        ));
    }
    match kind {
        Some(kind) => Ok(vec![explicit(query, kind, region)?]),
        None => detect(query, region),
    }
}

fn explicit(query: &str, kind: LookupType, region: &str) -> Result<Search, ServiceError> {
    let value = match kind {
        LookupType::OrderNumber => validate::order_number("query", query)?,
        LookupType::Email => validate::email("query", query)?,
        LookupType::Phone => validate::phone("query", query, region)?,
    };
    Ok(Search { kind, value })
}

fn detect(query: &str, region: &str) -> Result<Vec<Search>, ServiceError> {
    if query.contains('@') {
        return Ok(vec![explicit(query, LookupType::Email, region)?]);
    }
    let number = explicit(query, LookupType::OrderNumber, region)?;
    if query.starts_with('#') || !looks_like_phone(query) {
        return Ok(vec![number]);
    }
    match phone::normalize(query, Some(region)) {
        Ok(e164) => Ok(vec![
            Search {
                kind: LookupType::Phone,
                value: e164,
            },
            number,
        ]),
        Err(_) => Ok(vec![number]),
    }
}

/// Only digits and the punctuation people write numbers with, and as many
/// digits as a phone number has. Keeps `SO-1001` and vanity spellings out.
fn looks_like_phone(query: &str) -> bool {
    let digits = query.chars().filter(char::is_ascii_digit).count();
    PHONE_DIGITS.contains(&digits)
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(query: &str) -> Vec<(LookupType, String)> {
        plan(query, None, "US")
            .expect("plan")
            .into_iter()
            .map(|s| (s.kind, s.value))
            .collect()
    }

    #[test]
    fn detects_each_type() {
        use LookupType::*;
        assert_eq!(
            kinds("Jane@Example.com"),
            [(Email, "Jane@Example.com".into())]
        );
        assert_eq!(kinds("#1001"), [(OrderNumber, "1001".into())]);
        assert_eq!(kinds("1001"), [(OrderNumber, "1001".into())]);
        assert_eq!(kinds("SO-1001"), [(OrderNumber, "SO-1001".into())]);
        assert_eq!(
            kinds("(415) 555-1234"),
            [
                (Phone, "+14155551234".into()),
                (OrderNumber, "(415) 555-1234".into())
            ]
        );
        assert_eq!(
            kinds("+44 20 7946 0018")[0],
            (Phone, "+442079460018".into())
        );
        assert_eq!(kinds("#4155551234"), [(OrderNumber, "4155551234".into())]);
        assert_eq!(kinds("1-800-FLOWERS")[0].0, OrderNumber);
    }

    #[test]
    fn explicit_types_are_validated_against_the_query() {
        let err = |q: &str, k| plan(q, Some(k), "US").map_err(|e| (e.code.into_owned(), e.param));
        assert_eq!(
            err("abc", LookupType::Phone),
            Err(("parameter_invalid".into(), Some("query".into())))
        );
        assert!(err("jane", LookupType::Email).is_err());
        assert_eq!(
            err("  ", LookupType::OrderNumber),
            Err(("parameter_missing".into(), Some("query".into())))
        );
        let found = plan("4155551234", Some(LookupType::OrderNumber), "US").expect("plan");
        assert_eq!(found.len(), 1, "no fallback when the type is given");
    }
}
