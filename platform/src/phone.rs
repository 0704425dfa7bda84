//! Phone numbers: parsed and validated with libphonenumber's metadata (the
//! `phonenumber` crate), normalised to E.164. Shared by every service that
//! stores or dials a number, so one number has one spelling everywhere.

use phonenumber::{Mode, country};

/// Why a number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is not a phone number")]
    Unparseable,
    #[error("is not a valid number for its country")]
    Invalid,
    #[error("has an unknown region {0:?} (expected an ISO 3166 code such as US)")]
    UnknownRegion(String),
}

/// Normalises `input` to E.164 (`+14155551234`). National formats such as
/// `(415) 555-1234` are read in `region` (ISO 3166 alpha-2, e.g. `US`);
/// without a region, only international formats (`+…`) are accepted.
pub fn normalize(input: &str, region: Option<&str>) -> Result<String, PhoneError> {
    let region = region
        .map(|r| {
            r.trim()
                .to_ascii_uppercase()
                .parse::<country::Id>()
                .map_err(|_| PhoneError::UnknownRegion(r.to_owned()))
        })
        .transpose()?;
    let number = phonenumber::parse(region, input.trim()).map_err(|_| PhoneError::Unparseable)?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneError::Invalid);
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_international_and_national_formats() {
        assert_eq!(
            normalize("+1 (415) 555-1234", None).as_deref(),
            Ok("+14155551234")
        );
        assert_eq!(
            normalize("(415) 555-1234", Some("us")).as_deref(),
            Ok("+14155551234")
        );
        assert_eq!(
            normalize("+44 20 7946 0018", None).as_deref(),
            Ok("+442079460018")
        );
        assert_eq!(
            normalize("+34 612 345 678", None).as_deref(),
            Ok("+34612345678")
        );
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        assert_eq!(
            normalize("call me maybe", None),
            Err(PhoneError::Unparseable)
        );
        assert_eq!(normalize("+1 415 555", None), Err(PhoneError::Invalid));
        assert!(normalize("(415) 555-1234", Some("XX")).is_err());
        assert!(
            normalize("(415) 555-1234", None).is_err(),
            "national format needs a region"
        );
    }

    #[test]
    fn magic_test_numbers_are_valid() {
        for n in 1..=6 {
            let number = format!("+1500555000{n}");
            assert_eq!(normalize(&number, None).as_deref(), Ok(number.as_str()));
        }
    }
}
