//! Conversions between `chrono` and the protobuf `Timestamp`.

use chrono::{DateTime, Utc};
use prost_types::Timestamp;

/// A UTC instant as a protobuf timestamp.
pub fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

/// An optional UTC instant as an optional protobuf timestamp.
pub fn timestamp_opt(t: Option<DateTime<Utc>>) -> Option<Timestamp> {
    t.map(timestamp)
}

/// A protobuf timestamp as a UTC instant; out-of-range values are `None`.
pub fn datetime(t: &Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.seconds, t.nanos.max(0) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_nanos() {
        let now = Utc::now();
        assert_eq!(datetime(&timestamp(now)), Some(now));
    }
}
