//! The call object and the body that creates one.

use crate::{money::Money, proto_enum::proto_enum, time};
use barpel_proto::calls::v1 as pb;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Why Barpel calls the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallPurpose {
    /// Names the abandoned cart's items and value; offers help to finish checkout.
    CartRecovery,
    /// Asks whether all is well after an order or a topic; offers help.
    FollowUp,
    /// Reads a message verbatim and asks for acknowledgement.
    Notification,
    /// Reads the order's real status and tracking from the order feed.
    OrderStatus,
}

/// Where the call is in its life. `queued → ringing → in_progress →
/// completed`, or one of the terminal failures; terminal states never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    Queued,
    Ringing,
    InProgress,
    Completed,
    NoAnswer,
    Busy,
    Voicemail,
    Failed,
    Canceled,
}

/// What the call achieved (null until it ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallResolution {
    /// The purpose was achieved: cart recovered, question answered, notice acknowledged.
    Resolved,
    Unresolved,
    CallbackRequested,
    /// The customer asked for a human.
    Escalated,
    VoicemailLeft,
    Unreachable,
}

/// Who spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TurnRole {
    Agent,
    Customer,
}

/// One utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TranscriptTurn {
    pub role: TurnRole,
    pub text: String,
    /// Seconds from the moment the call was answered.
    pub offset_seconds: f64,
}

/// The `object` tag of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallObject {
    Call,
}

/// An outbound AI call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Call {
    /// `call_…`
    pub id: String,
    pub object: CallObject,
    /// False for calls made with a test key (simulated, free).
    pub livemode: bool,
    pub status: CallStatus,
    /// E.164.
    pub phone_number: String,
    pub purpose: CallPurpose,
    /// BCP 47 language of the conversation.
    pub language: String,
    /// The inputs given at creation.
    #[schema(value_type = Object)]
    pub context: Map<String, Value>,
    /// The context's top-level scalar values plus the `metadata` given at creation.
    #[schema(value_type = Object)]
    pub metadata: Map<String, Value>,
    #[serde(with = "time")]
    pub created_at: DateTime<Utc>,
    /// When the customer answered; null before.
    #[serde(with = "time::option")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "time::option")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds from answer to hang-up; null until the call ends.
    pub duration: Option<u32>,
    /// Null until the call connects; grows while the call runs.
    pub transcript: Option<Vec<TranscriptTurn>>,
    pub resolution: Option<CallResolution>,
    /// Why the call ended: `completed`, `no_answer`, `busy`, `voicemail`,
    /// `carrier_failure`, `canceled`, `interrupted`, …
    pub ended_reason: Option<String>,
    /// One-paragraph summary of the conversation.
    pub summary: Option<String>,
    /// The customer's satisfaction score, 1 to 5, when given.
    pub csat: Option<u32>,
    /// Whether the customer asked for a human.
    pub escalated: bool,
    /// What the call cost; always 0 in test mode.
    pub cost: Money,
}

/// `POST /v1/calls`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCall {
    /// The customer's number, E.164 (`+14155551234`). National formats are
    /// read as US numbers.
    pub phone_number: String,
    pub purpose: CallPurpose,
    /// What the agent needs for the purpose, e.g. `cart_items` and
    /// `cart_value` for `cart_recovery`. At most 16 KiB.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub context: Option<Map<String, Value>>,
    /// BCP 47 tag; default `en-US`. Supported: en, es, fr, de, pt with regions.
    #[serde(default)]
    pub language: Option<String>,
    /// Your own key-values, echoed on the call and its events.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

proto_enum!(CallPurpose, pb::CallPurpose, {
    CartRecovery => CartRecovery,
    FollowUp => FollowUp,
    Notification => Notification,
    OrderStatus => OrderStatus,
});

proto_enum!(CallStatus, pb::CallStatus, {
    Queued => Queued,
    Ringing => Ringing,
    InProgress => InProgress,
    Completed => Completed,
    NoAnswer => NoAnswer,
    Busy => Busy,
    Voicemail => Voicemail,
    Failed => Failed,
    Canceled => Canceled,
});

proto_enum!(CallResolution, pb::CallResolution, {
    Resolved => Resolved,
    Unresolved => Unresolved,
    CallbackRequested => CallbackRequested,
    Escalated => Escalated,
    VoicemailLeft => VoicemailLeft,
    Unreachable => Unreachable,
});

impl From<&pb::TranscriptTurn> for TranscriptTurn {
    fn from(t: &pb::TranscriptTurn) -> Self {
        Self {
            role: if t.role == pb::TurnRole::Customer as i32 {
                TurnRole::Customer
            } else {
                TurnRole::Agent
            },
            text: t.text.clone(),
            offset_seconds: t.offset_seconds,
        }
    }
}

impl From<&pb::Call> for Call {
    fn from(c: &pb::Call) -> Self {
        use barpel_proto::json::map_from_struct;
        Self {
            id: c.id.clone(),
            object: CallObject::Call,
            livemode: c.livemode,
            status: CallStatus::from_proto(c.status).unwrap_or(CallStatus::Queued),
            phone_number: c.phone_number.clone(),
            purpose: CallPurpose::from_proto(c.purpose).unwrap_or(CallPurpose::FollowUp),
            language: c.language.clone(),
            context: map_from_struct(c.context.as_ref()),
            metadata: map_from_struct(c.metadata.as_ref()),
            created_at: time::from_proto(c.created_at.as_ref()).unwrap_or_default(),
            started_at: time::from_proto(c.started_at.as_ref()),
            ended_at: time::from_proto(c.ended_at.as_ref()),
            duration: c.duration_seconds,
            transcript: c
                .has_transcript
                .then(|| c.transcript.iter().map(TranscriptTurn::from).collect()),
            resolution: CallResolution::from_proto(c.resolution),
            ended_reason: Some(c.ended_reason.clone()).filter(|r| !r.is_empty()),
            summary: Some(c.summary.clone()).filter(|s| !s.is_empty()),
            csat: c.csat,
            escalated: c.escalated,
            cost: c.cost.as_ref().map(Money::from).unwrap_or(Money {
                amount: 0,
                currency: "usd".into(),
            }),
        }
    }
}
