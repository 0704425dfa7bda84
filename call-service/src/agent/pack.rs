//! A language pack: everything the agent says, everything the simulated
//! customer says, and the words the built-in language model listens for,
//! in one language. Templates use `{placeholders}` filled by the playbook.

/// One language's words.
#[derive(Debug)]
pub struct Pack {
    /// The agent's lines.
    pub agent: AgentLines,
    /// The simulated customer's lines (test mode).
    pub customer: CustomerLines,
    /// What the keyword language model listens for (lower case).
    pub words: Keywords,
    /// Summary sentences for the call object.
    pub summary: SummaryLines,
    /// How lists and numbers are written.
    pub grammar: Grammar,
}

#[derive(Debug)]
pub struct AgentLines {
    /// `{agent}`, `{merchant}`, `{name}`.
    pub greet_named: &'static str,
    pub greet_anonymous: &'static str,
    /// Used when the context has no `merchant_name`.
    pub default_merchant: &'static str,
    /// `{items}`, `{value_clause}`.
    pub cart_pitch: &'static str,
    /// `{value}`.
    pub cart_value_clause: &'static str,
    /// `{items}`, `{link_clause}`.
    pub cart_assist: &'static str,
    /// `{url}`.
    pub cart_link_clause: &'static str,
    /// `{number}`, `{status}`, `{tracking_clause}`.
    pub order_found: &'static str,
    /// `{carrier}`, `{tracking}`, `{eta_clause}`.
    pub order_tracking_clause: &'static str,
    /// `{eta}`.
    pub order_eta_clause: &'static str,
    /// `{query}`.
    pub order_not_found: &'static str,
    pub order_assist: &'static str,
    /// `{topic}`.
    pub follow_up_pitch: &'static str,
    /// `{number}`.
    pub follow_up_order_topic: &'static str,
    pub follow_up_assist: &'static str,
    /// `{message}`.
    pub notification_pitch: &'static str,
    pub notification_assist: &'static str,
    pub decline: &'static str,
    pub callback: &'static str,
    pub escalate: &'static str,
    pub unclear: &'static str,
    pub ask_csat: &'static str,
    pub thank_and_goodbye: &'static str,
    pub goodbye: &'static str,
    /// `{greeting}`, `{topic}`.
    pub voicemail: &'static str,
    /// Topics for voicemail: `{items}`; `{number}`; `{message}`.
    pub voicemail_cart_topic: &'static str,
    pub voicemail_order_topic: &'static str,
    pub voicemail_message_topic: &'static str,
    /// Order statuses, in `OrderStatus` order: pending, paid, fulfilled,
    /// shipped, out_for_delivery, delivered, cancelled, refunded.
    pub order_statuses: [&'static str; 8],
}

#[derive(Debug)]
pub struct CustomerLines {
    /// What the customer says on picking up.
    pub hello: &'static str,
    pub agree_cart: &'static str,
    pub agree_order: &'static str,
    pub agree_follow_up: &'static str,
    pub agree_notification: &'static str,
    pub thanks: &'static str,
    pub decline: &'static str,
    pub ask_for_human: &'static str,
    /// `{score}`.
    pub rating: &'static str,
}

#[derive(Debug)]
pub struct Keywords {
    pub yes: &'static [&'static str],
    pub no: &'static [&'static str],
    pub human: &'static [&'static str],
    pub callback: &'static [&'static str],
    /// Spelled-out ratings, index 0 = one … index 4 = five.
    pub numbers: [&'static [&'static str]; 5],
}

#[derive(Debug)]
pub struct SummaryLines {
    /// Purpose labels: cart recovery, follow-up, notification, order status.
    pub purposes: [&'static str; 4],
    /// `{purpose}`, `{who}`, `{outcome}`.
    pub sentence: &'static str,
    /// Who, when no name is known.
    pub the_customer: &'static str,
    pub resolved_cart: &'static str,
    pub resolved_order: &'static str,
    pub resolved_follow_up: &'static str,
    pub resolved_notification: &'static str,
    pub unresolved: &'static str,
    pub order_not_found: &'static str,
    pub callback: &'static str,
    pub escalated: &'static str,
    pub voicemail: &'static str,
    pub interrupted: &'static str,
    /// `{score}`.
    pub csat: &'static str,
}

#[derive(Debug)]
pub struct Grammar {
    /// The word joining the last two items of a list (`and`).
    pub and: &'static str,
    /// Decimal separator for amounts.
    pub decimal: char,
    /// Whether the currency symbol follows the amount (`89,99 €`).
    pub symbol_after: bool,
}
