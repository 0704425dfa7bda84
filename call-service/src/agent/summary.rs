//! The one-paragraph summary stored on the call.

use super::{
    facts::{Facts, OrderLookup},
    format::fill,
    pack::Pack,
    playbook::Outcome,
};
use crate::call::{Purpose, Resolution};

/// E.g. "Cart recovery call with Sarah: the customer agreed to complete
/// checkout and was sent a checkout link. CSAT 5/5."
pub fn summarize(
    purpose: Purpose,
    pack: &Pack,
    facts: &Facts,
    outcome: &Outcome,
    interrupted: bool,
) -> String {
    let s = &pack.summary;
    let label = s.purposes[match purpose {
        Purpose::CartRecovery => 0,
        Purpose::FollowUp => 1,
        Purpose::Notification => 2,
        Purpose::OrderStatus => 3,
    }];
    let order_missing = matches!(facts.order, Some(OrderLookup::NotFound { .. }));
    let text = match outcome.resolution {
        _ if interrupted => s.interrupted,
        Resolution::Resolved => match purpose {
            Purpose::CartRecovery => s.resolved_cart,
            Purpose::OrderStatus => s.resolved_order,
            Purpose::FollowUp => s.resolved_follow_up,
            Purpose::Notification => s.resolved_notification,
        },
        Resolution::Unresolved if order_missing => s.order_not_found,
        Resolution::Unresolved | Resolution::Unreachable => s.unresolved,
        Resolution::CallbackRequested => s.callback,
        Resolution::Escalated => s.escalated,
        Resolution::VoicemailLeft => s.voicemail,
    };
    let who = facts.customer_name.as_deref().unwrap_or(s.the_customer);
    let mut summary = fill(
        s.sentence,
        &[("purpose", label), ("who", who), ("outcome", text)],
    );
    if let Some(score) = outcome.csat {
        summary.push_str(&fill(s.csat, &[("score", &score.to_string())]));
    }
    summary
}
