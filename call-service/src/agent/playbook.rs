//! The conversation, as a small state machine per purpose: the agent opens
//! with a greeting and the purpose's pitch, reacts to each reply, asks the
//! closing CSAT question and says goodbye. It decides the outcome
//! (resolution, CSAT, escalation) as it goes.

use super::{
    AGENT_NAME,
    facts::{Facts, OrderLookup},
    format::{fill, list, money},
    nlu::{Expect, Intent},
    pack::Pack,
};
use crate::call::{Purpose, Resolution};

/// What a line of the agent does (the simulated customer answers to this;
/// a real line only hears the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Opening,
    Assist,
    Decline,
    Callback,
    Unclear,
    AskCsat,
    Escalate,
    Goodbye,
    Voicemail,
}

/// One thing the agent says.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentLine {
    pub act: Act,
    pub text: String,
    /// What reply is expected; `None` ends the call after this line.
    pub expect: Option<Expect>,
}

/// How the conversation turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub resolution: Resolution,
    pub csat: Option<u8>,
    pub escalated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Pitch { repeated: bool },
    FollowUp,
    Csat,
    Done,
}

/// One call's conversation.
pub struct Playbook<'a> {
    purpose: Purpose,
    pack: &'a Pack,
    facts: &'a Facts,
    stage: Stage,
    outcome: Outcome,
}

impl<'a> Playbook<'a> {
    pub fn new(purpose: Purpose, pack: &'a Pack, facts: &'a Facts) -> Self {
        Self {
            purpose,
            pack,
            facts,
            stage: Stage::Pitch { repeated: false },
            outcome: Outcome {
                resolution: Resolution::Unresolved,
                csat: None,
                escalated: false,
            },
        }
    }

    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Whether the order the customer asked about was missing.
    fn order_missing(&self) -> bool {
        matches!(self.facts.order, Some(OrderLookup::NotFound { .. }))
    }

    /// The greeting and the purpose's pitch.
    pub fn opening(&mut self) -> AgentLine {
        let text = format!("{} {}", self.greeting(), self.pitch());
        line(Act::Opening, text, Some(Expect::YesNo))
    }

    /// The agent's answer to the customer's reply.
    pub fn reply(&mut self, intent: Intent) -> AgentLine {
        let a = &self.pack.agent;
        // A customer who asks for a human, or whom the agent failed to
        // understand twice in a row, is handed to the team.
        let misunderstood =
            self.stage == (Stage::Pitch { repeated: true }) && intent == Intent::Unclear;
        if intent == Intent::Human || misunderstood {
            self.outcome.escalated = true;
            self.outcome.resolution = Resolution::Escalated;
            self.stage = Stage::Done;
            return line(Act::Escalate, a.escalate.to_owned(), None);
        }
        match (self.stage, intent) {
            (Stage::Pitch { .. }, _) if self.order_missing() => self.ask_csat(),
            (Stage::Pitch { .. }, Intent::Yes) => {
                self.outcome.resolution = Resolution::Resolved;
                self.stage = Stage::FollowUp;
                line(Act::Assist, self.assist(), Some(Expect::YesNo))
            }
            (Stage::Pitch { .. }, Intent::No) => {
                self.stage = Stage::FollowUp;
                line(Act::Decline, a.decline.to_owned(), Some(Expect::YesNo))
            }
            (Stage::Pitch { .. }, Intent::Callback) => {
                self.outcome.resolution = Resolution::CallbackRequested;
                self.stage = Stage::FollowUp;
                line(Act::Callback, a.callback.to_owned(), Some(Expect::YesNo))
            }
            (Stage::Pitch { repeated: false }, _) => {
                self.stage = Stage::Pitch { repeated: true };
                let text = format!("{} {}", a.unclear, self.pitch());
                line(Act::Unclear, text, Some(Expect::YesNo))
            }
            (Stage::Pitch { repeated: true } | Stage::FollowUp, _) => self.ask_csat(),
            (Stage::Csat, Intent::Rating(score)) => {
                self.outcome.csat = Some(score.clamp(1, 5));
                self.stage = Stage::Done;
                line(Act::Goodbye, a.thank_and_goodbye.to_owned(), None)
            }
            (Stage::Csat | Stage::Done, _) => {
                self.stage = Stage::Done;
                line(Act::Goodbye, a.goodbye.to_owned(), None)
            }
        }
    }

    /// The message left on an answering machine.
    pub fn voicemail(&mut self) -> AgentLine {
        self.outcome.resolution = Resolution::VoicemailLeft;
        self.stage = Stage::Done;
        let a = &self.pack.agent;
        let topic = match self.purpose {
            Purpose::CartRecovery => fill(a.voicemail_cart_topic, &[("items", &self.items())]),
            Purpose::Notification => fill(
                a.voicemail_message_topic,
                &[("message", self.facts.message.as_deref().unwrap_or_default())],
            ),
            Purpose::OrderStatus | Purpose::FollowUp => match &self.facts.order_number {
                Some(number) => fill(a.voicemail_order_topic, &[("number", number)]),
                None => self.follow_up_topic(),
            },
        };
        let text = fill(
            a.voicemail,
            &[("greeting", &self.greeting()), ("topic", &topic)],
        );
        line(Act::Voicemail, text, None)
    }

    fn ask_csat(&mut self) -> AgentLine {
        self.stage = Stage::Csat;
        line(
            Act::AskCsat,
            self.pack.agent.ask_csat.to_owned(),
            Some(Expect::Rating),
        )
    }

    fn greeting(&self) -> String {
        let a = &self.pack.agent;
        let merchant = self
            .facts
            .merchant_name
            .as_deref()
            .unwrap_or(a.default_merchant);
        match &self.facts.customer_name {
            Some(name) => fill(
                a.greet_named,
                &[
                    ("name", name),
                    ("agent", AGENT_NAME),
                    ("merchant", merchant),
                ],
            ),
            None => fill(
                a.greet_anonymous,
                &[("agent", AGENT_NAME), ("merchant", merchant)],
            ),
        }
    }

    fn pitch(&self) -> String {
        let a = &self.pack.agent;
        match self.purpose {
            Purpose::CartRecovery => {
                let value = self
                    .facts
                    .cart_value
                    .map(|v| {
                        fill(
                            a.cart_value_clause,
                            &[("value", &money(v, &self.facts.currency, &self.pack.grammar))],
                        )
                    })
                    .unwrap_or_default();
                fill(
                    a.cart_pitch,
                    &[("items", &self.items()), ("value_clause", &value)],
                )
            }
            Purpose::OrderStatus => self.order_status(),
            Purpose::FollowUp => fill(a.follow_up_pitch, &[("topic", &self.follow_up_topic())]),
            Purpose::Notification => fill(
                a.notification_pitch,
                &[("message", self.facts.message.as_deref().unwrap_or_default())],
            ),
        }
    }

    fn order_status(&self) -> String {
        let a = &self.pack.agent;
        match &self.facts.order {
            Some(OrderLookup::Found(order)) => {
                let status = a
                    .order_statuses
                    .get(order.status)
                    .copied()
                    .unwrap_or(a.order_statuses[0]);
                let tracking = match (&order.carrier, &order.tracking_number) {
                    (Some(carrier), Some(number)) => {
                        let eta = order
                            .estimated_delivery
                            .as_deref()
                            .map(|eta| fill(a.order_eta_clause, &[("eta", eta)]))
                            .unwrap_or_default();
                        fill(
                            a.order_tracking_clause,
                            &[
                                ("carrier", carrier),
                                ("tracking", number),
                                ("eta_clause", &eta),
                            ],
                        )
                    }
                    _ => String::new(),
                };
                fill(
                    a.order_found,
                    &[
                        ("number", &order.number),
                        ("status", status),
                        ("tracking_clause", &tracking),
                    ],
                )
            }
            Some(OrderLookup::NotFound { query }) => fill(a.order_not_found, &[("query", query)]),
            None => fill(a.order_not_found, &[("query", "")]),
        }
    }

    fn assist(&self) -> String {
        let a = &self.pack.agent;
        match self.purpose {
            Purpose::CartRecovery => {
                let link = self
                    .facts
                    .checkout_url
                    .as_deref()
                    .map(|url| fill(a.cart_link_clause, &[("url", url)]))
                    .unwrap_or_default();
                fill(
                    a.cart_assist,
                    &[("items", &self.items()), ("link_clause", &link)],
                )
            }
            Purpose::OrderStatus => a.order_assist.to_owned(),
            Purpose::FollowUp => a.follow_up_assist.to_owned(),
            Purpose::Notification => a.notification_assist.to_owned(),
        }
    }

    fn items(&self) -> String {
        list(&self.facts.cart_items, &self.pack.grammar)
    }

    fn follow_up_topic(&self) -> String {
        match (&self.facts.topic, &self.facts.order_number) {
            (Some(topic), _) => topic.clone(),
            (None, Some(number)) => {
                fill(self.pack.agent.follow_up_order_topic, &[("number", number)])
            }
            (None, None) => String::new(),
        }
    }
}

fn line(act: Act, text: String, expect: Option<Expect>) -> AgentLine {
    AgentLine { act, text, expect }
}

#[cfg(test)]
mod tests;
