//! The events a call publishes: the envelope around the call's public
//! shape at the moment of the event.

use crate::{call::Call, convert};
use barpel_platform::ids;
use barpel_proto::events::v1::{Event, event::Object};

/// An event of `event_type` whose object is `call` as it is now.
pub fn event(event_type: &str, call: &Call) -> Event {
    Event {
        id: ids::new_id("evt"),
        r#type: event_type.to_owned(),
        created_at: Some(barpel_proto::time::timestamp(chrono::Utc::now())),
        account_id: call.account_id.clone(),
        livemode: call.livemode,
        object: Some(Object::Call(convert::to_proto(call))),
    }
}
