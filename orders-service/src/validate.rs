//! The rules for each field of an order, as the public API states them.
//! Every failure is a 400 naming the field (`param`) in the public API's
//! spelling, with a message that says what to send instead.

use crate::order::{LineItem, Tracking};
use barpel_platform::{
    ServiceError,
    phone::{self, PhoneError},
};
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// Longest order number, email, name… accepted (in characters).
const MAX_ORDER_NUMBER: usize = 64;
const MAX_EMAIL: usize = 254; // RFC 5321's path limit
const MAX_TEXT: usize = 500;
const MAX_LINE_ITEMS: usize = 250;
const MAX_QUANTITY: u32 = 1_000_000;
/// 10^13 minor units: ample for any order, and small enough that summing
/// 250 line items of a million units each cannot overflow i64.
const MAX_AMOUNT: i64 = 10_000_000_000_000;
const MAX_METADATA_KEYS: usize = 50;
const MAX_METADATA_KEY: usize = 40;
const MAX_METADATA_BYTES: usize = 8 * 1024;

fn invalid(param: &str, message: String) -> ServiceError {
    ServiceError::invalid(param, "parameter_invalid", message)
}

/// Trimmed; `None` when blank.
pub fn text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A free-text field: at most 500 characters, no control characters.
pub fn short_text(param: &str, raw: &str) -> Result<Option<String>, ServiceError> {
    let Some(value) = text(raw) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_TEXT || value.chars().any(char::is_control) {
        return Err(invalid(
            param,
            format!("{param} must be at most {MAX_TEXT} characters without control characters."),
        ));
    }
    Ok(Some(value))
}

/// `#1001` and `1001` are the same order: the leading `#` (and spaces
/// around it) is dropped. 1–64 printable characters remain.
pub fn order_number(param: &str, raw: &str) -> Result<String, ServiceError> {
    let trimmed = raw.trim();
    let number = trimmed.strip_prefix('#').unwrap_or(trimmed).trim();
    if number.is_empty() {
        return Err(ServiceError::invalid(
            param,
            "parameter_missing",
            format!("{param} must not be empty (e.g. \"1001\" or \"#1001\")."),
        ));
    }
    if number.chars().count() > MAX_ORDER_NUMBER || number.chars().any(char::is_control) {
        return Err(invalid(
            param,
            format!("{param} must be at most {MAX_ORDER_NUMBER} printable characters."),
        ));
    }
    Ok(number.to_owned())
}

/// An address with one `@`, a non-empty local part and a dotted domain, no
/// spaces. Kept as given: the local part may be case-sensitive in theory,
/// matching is case-insensitive in practice.
pub fn email(param: &str, raw: &str) -> Result<String, ServiceError> {
    let value = raw.trim();
    let well_formed = value.len() <= MAX_EMAIL
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !well_formed {
        return Err(invalid(
            param,
            format!("{param} must be an email address such as jane@example.com; got {value:?}."),
        ));
    }
    Ok(value.to_owned())
}

/// A phone number in E.164. National formats are read in `region`.
pub fn phone(param: &str, raw: &str, region: &str) -> Result<String, ServiceError> {
    phone::normalize(raw, Some(region)).map_err(|e| match e {
        PhoneError::UnknownRegion(_) => bad_region(region),
        other => invalid(
            param,
            format!(
                "{param} {other}: got {:?}. Give it in E.164 (+14155551234), or in the national format of phone_region ({region}).",
                raw.trim()
            ),
        ),
    })
}

/// A region code libphonenumber knows (`US`, `GB`).
pub fn region(raw: &str) -> Result<String, ServiceError> {
    let region = raw.trim().to_ascii_uppercase();
    region
        .parse::<phonenumber::country::Id>()
        .map(|_| region.clone())
        .map_err(|_| bad_region(raw))
}

fn bad_region(raw: &str) -> ServiceError {
    invalid(
        "phone_region",
        format!("phone_region must be an ISO 3166 alpha-2 region such as US or GB; got {raw:?}."),
    )
}

/// ISO 4217, returned lower case.
pub fn currency(param: &str, raw: &str) -> Result<String, ServiceError> {
    let code = raw.trim().to_ascii_uppercase();
    if !ISO_4217.contains(&code.as_str()) {
        return Err(invalid(
            param,
            format!("{param} must be an ISO 4217 currency code such as usd or eur; got {raw:?}."),
        ));
    }
    Ok(code.to_ascii_lowercase())
}

/// An amount in minor units: 0 to 10^13.
pub fn amount(param: &str, value: i64) -> Result<i64, ServiceError> {
    if !(0..=MAX_AMOUNT).contains(&value) {
        return Err(invalid(
            param,
            format!(
                "{param} must be a whole number of minor units (cents for usd) between 0 and {MAX_AMOUNT}; got {value}."
            ),
        ));
    }
    Ok(value)
}

/// Each item named, with a quantity of at least 1 and a price ≥ 0.
pub fn line_items(items: Vec<LineItem>) -> Result<Vec<LineItem>, ServiceError> {
    if items.len() > MAX_LINE_ITEMS {
        return Err(invalid(
            "line_items",
            format!("line_items may hold at most {MAX_LINE_ITEMS} items."),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| line_item(&format!("line_items[{i}]"), item))
        .collect()
}

fn line_item(at: &str, item: LineItem) -> Result<LineItem, ServiceError> {
    let name = short_text(&format!("{at}.name"), &item.name)?.ok_or_else(|| {
        ServiceError::invalid(
            format!("{at}.name"),
            "parameter_missing",
            format!("{at}.name is required."),
        )
    })?;
    if !(1..=MAX_QUANTITY).contains(&item.quantity) {
        return Err(invalid(
            &format!("{at}.quantity"),
            format!("{at}.quantity must be between 1 and {MAX_QUANTITY}."),
        ));
    }
    Ok(LineItem {
        name,
        sku: short_text(
            &format!("{at}.sku"),
            item.sku.as_deref().unwrap_or_default(),
        )?,
        quantity: item.quantity,
        unit_price: amount(&format!("{at}.unit_price"), item.unit_price)?,
    })
}

/// The raw tracking fields, before validation.
#[derive(Debug, Default)]
pub struct RawTracking<'a> {
    pub carrier: &'a str,
    pub number: &'a str,
    pub url: &'a str,
    pub status: &'a str,
    pub estimated_delivery: &'a str,
}

/// A tracking whose fields are all blank is `None` (no tracking).
pub fn tracking(raw: RawTracking<'_>) -> Result<Option<Tracking>, ServiceError> {
    let url = short_text("tracking.url", raw.url)?;
    if let Some(url) = &url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(invalid(
            "tracking.url",
            format!("tracking.url must be an http(s) URL; got {url:?}."),
        ));
    }
    let tracking = Tracking {
        carrier: short_text("tracking.carrier", raw.carrier)?,
        number: short_text("tracking.number", raw.number)?,
        url,
        status: short_text("tracking.status", raw.status)?,
        estimated_delivery: date("tracking.estimated_delivery", raw.estimated_delivery)?,
    };
    Ok(Some(tracking).filter(|t| !t.is_empty()))
}

fn date(param: &str, raw: &str) -> Result<Option<NaiveDate>, ServiceError> {
    let Some(value) = text(raw) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            invalid(
                param,
                format!("{param} must be a date as YYYY-MM-DD; got {value:?}."),
            )
        })
}

/// At most 50 keys of at most 40 characters, 8 KiB in all.
pub fn metadata(map: Map<String, Value>) -> Result<Map<String, Value>, ServiceError> {
    if map.len() > MAX_METADATA_KEYS {
        return Err(invalid(
            "metadata",
            format!("metadata may hold at most {MAX_METADATA_KEYS} keys."),
        ));
    }
    if let Some(key) = map
        .keys()
        .find(|k| k.is_empty() || k.chars().count() > MAX_METADATA_KEY)
    {
        return Err(invalid(
            &format!("metadata.{key}"),
            format!("metadata keys must be 1 to {MAX_METADATA_KEY} characters."),
        ));
    }
    let size = serde_json::to_vec(&map).map(|v| v.len()).unwrap_or(0);
    if size > MAX_METADATA_BYTES {
        return Err(invalid(
            "metadata",
            format!(
                "metadata may be at most {} KiB as JSON.",
                MAX_METADATA_BYTES / 1024
            ),
        ));
    }
    Ok(map)
}

/// Active ISO 4217 currency codes (fund and precious-metal codes left out).
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK",
    "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK",
    "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
    "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR",
    "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX",
    "USD", "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF",
    "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_lose_their_hash() {
        assert_eq!(order_number("n", " #1001 ").ok().as_deref(), Some("1001"));
        assert_eq!(
            order_number("n", "SO-1001").ok().as_deref(),
            Some("SO-1001")
        );
        assert_eq!(
            order_number("n", "#").map_err(|e| e.code),
            Err("parameter_missing".into())
        );
        assert!(order_number("n", &"9".repeat(65)).is_err());
    }

    #[test]
    fn emails_are_checked_and_kept_as_given() {
        assert_eq!(
            email("e", " Jane@Example.COM ").ok().as_deref(),
            Some("Jane@Example.COM")
        );
        for bad in [
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@x.com",
            "a@b@c.com",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_regions_and_currencies() {
        assert_eq!(
            phone("p", "(415) 555-1234", "US").ok().as_deref(),
            Some("+14155551234")
        );
        assert_eq!(
            phone("p", "020 7946 0018", "GB").ok().as_deref(),
            Some("+442079460018")
        );
        assert_eq!(
            phone("p", "555", "US").map_err(|e| e.param),
            Err(Some("p".into()))
        );
        assert_eq!(region("gb").ok().as_deref(), Some("GB"));
        assert_eq!(
            region("XX").map_err(|e| e.param),
            Err(Some("phone_region".into()))
        );
        assert_eq!(currency("c", "USD").ok().as_deref(), Some("usd"));
        assert!(currency("c", "dollars").is_err());
        assert!(currency("c", "xyz").is_err());
    }

    #[test]
    fn tracking_and_items() {
        let t = tracking(RawTracking {
            carrier: "UPS",
            estimated_delivery: "2026-03-18",
            ..Default::default()
        });
        assert_eq!(
            t.ok().flatten().and_then(|t| t.estimated_delivery),
            NaiveDate::from_ymd_opt(2026, 3, 18)
        );
        assert_eq!(tracking(RawTracking::default()).ok(), Some(None));
        let bad = tracking(RawTracking {
            estimated_delivery: "tomorrow",
            ..Default::default()
        });
        assert_eq!(
            bad.map_err(|e| e.param),
            Err(Some("tracking.estimated_delivery".into()))
        );
        let zero = vec![LineItem {
            name: "Shoes".into(),
            sku: None,
            quantity: 0,
            unit_price: 100,
        }];
        assert_eq!(
            line_items(zero).map_err(|e| e.param),
            Err(Some("line_items[0].quantity".into()))
        );
    }
}
