//! Domain ⇄ proto conversions for calls, used by the gRPC adapter and by
//! the events (whose object is the proto call).

use crate::call::{Call, Purpose, Resolution, Role, Status, Turn};
use barpel_proto::{
    Money,
    calls::v1 as pb,
    json::struct_from_map,
    time::{timestamp, timestamp_opt},
};

pub fn to_proto(call: &Call) -> pb::Call {
    pb::Call {
        id: call.id.clone(),
        livemode: call.livemode,
        status: status(call.status) as i32,
        phone_number: call.phone_number.clone(),
        purpose: purpose(call.purpose) as i32,
        language: call.language.clone(),
        context: Some(struct_from_map(&call.context)),
        metadata: Some(struct_from_map(&call.metadata)),
        created_at: Some(timestamp(call.created_at)),
        started_at: timestamp_opt(call.started_at),
        ended_at: timestamp_opt(call.ended_at),
        duration_seconds: call.duration_seconds,
        transcript: call.transcript.iter().flatten().map(turn).collect(),
        has_transcript: call.transcript.is_some(),
        resolution: call
            .resolution
            .map_or(pb::CallResolution::Unspecified, resolution) as i32,
        ended_reason: call.ended_reason.clone().unwrap_or_default(),
        summary: call.summary.clone().unwrap_or_default(),
        csat: call.csat.map(u32::from),
        escalated: call.escalated,
        cost: Some(Money {
            amount: call.cost_amount,
            currency: call.cost_currency.clone(),
        }),
        updated_at: Some(timestamp(call.updated_at)),
    }
}

fn turn(t: &Turn) -> pb::TranscriptTurn {
    pb::TranscriptTurn {
        role: match t.role {
            Role::Agent => pb::TurnRole::Agent,
            Role::Customer => pb::TurnRole::Customer,
        } as i32,
        text: t.text.clone(),
        offset_seconds: t.offset_seconds,
    }
}

pub fn status(s: Status) -> pb::CallStatus {
    match s {
        Status::Queued => pb::CallStatus::Queued,
        Status::Ringing => pb::CallStatus::Ringing,
        Status::InProgress => pb::CallStatus::InProgress,
        Status::Completed => pb::CallStatus::Completed,
        Status::NoAnswer => pb::CallStatus::NoAnswer,
        Status::Busy => pb::CallStatus::Busy,
        Status::Voicemail => pb::CallStatus::Voicemail,
        Status::Failed => pb::CallStatus::Failed,
        Status::Canceled => pb::CallStatus::Canceled,
    }
}

pub fn status_from_proto(value: i32) -> Option<Status> {
    Status::TERMINAL
        .into_iter()
        .chain([Status::Queued, Status::Ringing, Status::InProgress])
        .find(|s| status(*s) as i32 == value)
}

pub fn purpose(p: Purpose) -> pb::CallPurpose {
    match p {
        Purpose::CartRecovery => pb::CallPurpose::CartRecovery,
        Purpose::FollowUp => pb::CallPurpose::FollowUp,
        Purpose::Notification => pb::CallPurpose::Notification,
        Purpose::OrderStatus => pb::CallPurpose::OrderStatus,
    }
}

pub fn purpose_from_proto(value: i32) -> Option<Purpose> {
    [
        Purpose::CartRecovery,
        Purpose::FollowUp,
        Purpose::Notification,
        Purpose::OrderStatus,
    ]
    .into_iter()
    .find(|p| purpose(*p) as i32 == value)
}

fn resolution(r: Resolution) -> pb::CallResolution {
    match r {
        Resolution::Resolved => pb::CallResolution::Resolved,
        Resolution::Unresolved => pb::CallResolution::Unresolved,
        Resolution::CallbackRequested => pb::CallResolution::CallbackRequested,
        Resolution::Escalated => pb::CallResolution::Escalated,
        Resolution::VoicemailLeft => pb::CallResolution::VoicemailLeft,
        Resolution::Unreachable => pb::CallResolution::Unreachable,
    }
}
