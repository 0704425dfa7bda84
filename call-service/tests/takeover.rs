//! A call-service instance that dies mid-call leaves nothing stuck:
//! another instance takes the call over once the lease lapses, ends it as
//! `interrupted`, and every event reaches JetStream exactly once.

use barpel_call_service::{Config, start};
use barpel_platform::{ServiceHandle, Shutdown, grpc, testing};
use barpel_proto::{
    Tenant,
    calls::v1::{
        Call, CallPurpose, CallStatus, CreateCallRequest, GetCallRequest,
        call_service_client::CallServiceClient,
    },
    events::v1::{Event, event::Object},
    json::struct_from_map,
};
use prost::Message;
use serde_json::json;
use std::{collections::HashSet, time::Duration};

fn tenant() -> Option<Tenant> {
    Some(Tenant {
        account_id: "acct_takeover".into(),
        livemode: false,
    })
}

async fn get(handle: &ServiceHandle, id: &str) -> Call {
    let channel = grpc::channel(&format!("http://{}", handle.addr)).expect("channel");
    CallServiceClient::new(channel)
        .get_call(GetCallRequest {
            tenant: tenant(),
            id: id.into(),
        })
        .await
        .expect("get")
        .into_inner()
}

async fn wait_for(handle: &ServiceHandle, id: &str, done: impl Fn(&Call) -> bool) -> Call {
    testing::eventually("the call to get there", Duration::from_secs(30), || async {
        let call = get(handle, id).await;
        done(&call).then_some(call)
    })
    .await
}

#[tokio::test]
async fn a_dead_instance_calls_are_ended_by_another_exactly_once() {
    let bus = testing::bus("takeover");
    let mut config = Config::new(testing::backend("calls", &bus).await);
    config.simulation_speed = 10.0; // a conversation of about ten seconds
    config.lease = Duration::from_millis(600);
    config.poll = Duration::from_millis(50);
    let first = start(config.clone(), Shutdown::new())
        .await
        .expect("first instance");

    let channel = grpc::channel(&format!("http://{}", first.addr)).expect("channel");
    let context = json!({"cart_items": ["Blue Running Shoes"], "cart_value": 40});
    let created = CallServiceClient::new(channel)
        .create_call(CreateCallRequest {
            tenant: tenant(),
            phone_number: "+14155551234".into(),
            purpose: CallPurpose::CartRecovery as i32,
            context: context.as_object().map(struct_from_map),
            ..Default::default()
        })
        .await
        .expect("create")
        .into_inner();
    wait_for(&first, &created.id, |c| {
        c.status == CallStatus::InProgress as i32 && !c.transcript.is_empty()
    })
    .await;

    let second = start(config.clone(), Shutdown::new())
        .await
        .expect("second instance");
    first.abort(); // a crash: no drain, no release, leases left to lapse
    let ended = wait_for(&second, &created.id, |c| {
        c.status != CallStatus::InProgress as i32
    })
    .await;
    assert_eq!(ended.status, CallStatus::Failed as i32, "{ended:?}");
    assert_eq!(ended.ended_reason, "interrupted");
    assert!(ended.duration_seconds.is_some());

    // Every event about the call is in the stream once; the terminal one too.
    let client = async_nats::connect(&bus.url).await.expect("nats");
    let js = async_nats::jetstream::new(client);
    let events = testing::eventually(
        "call.failed on the stream",
        Duration::from_secs(10),
        || async {
            let stream = js.get_stream(&bus.stream).await.ok()?;
            let last = stream.get_info().await.ok()?.state.last_sequence;
            let mut events = Vec::new();
            for seq in 1..=last {
                let message = stream.get_raw_message(seq).await.ok()?;
                events.push(Event::decode(message.payload).ok()?);
            }
            events
                .iter()
                .any(|e| e.r#type == "call.failed")
                .then_some(events)
        },
    )
    .await;
    let about_call: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(&e.object, Some(Object::Call(c)) if c.id == created.id))
        .collect();
    let types: Vec<&str> = about_call.iter().map(|e| e.r#type.as_str()).collect();
    assert_eq!(types, ["call.started", "call.failed"]);
    let ids: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "no event id twice on the stream");
    let _ = js.delete_stream(&bus.stream).await;
}
