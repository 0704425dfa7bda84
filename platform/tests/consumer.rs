//! The durable pull-consumer helper against real NATS: acks what was
//! handled, redelivers what asked to be retried, terminates poison.

use barpel_platform::{
    Shutdown,
    bus::{Bus, Handled, run_consumer},
    ids,
    testing::{self, eventually},
};
use barpel_proto::events::v1::Event;
use prost::Message;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

async fn publish(bus: &Bus, event_type: &str, payload: Vec<u8>) {
    let id = ids::new_id("evt");
    let ack = bus
        .publish(event_type, &id, payload.into(), Default::default())
        .await
        .expect("publish");
    ack.await.expect("ack");
}

#[tokio::test]
async fn acks_retries_and_terminates() {
    let bus = Bus::connect(testing::bus("consumer")).await.expect("bus");
    let event = |t: &str| Event {
        r#type: t.into(),
        ..Default::default()
    };
    for t in ["test.flaky", "test.poison", "test.fine"] {
        publish(&bus, t, event(t).encode_to_vec()).await;
    }
    publish(&bus, "test.garbage", b"\xff\xff not protobuf".to_vec()).await;

    let seen: Arc<Mutex<HashMap<String, Vec<i64>>>> = Arc::default();
    let consumer = bus
        .durable_consumer("test-consumer", ">", Duration::from_secs(30))
        .await
        .expect("consumer");
    let shutdown = Shutdown::new();
    let task = {
        let seen = seen.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            run_consumer("test-consumer", consumer, shutdown, |received| {
                let seen = seen.clone();
                async move {
                    let event_type = received.event.r#type.clone();
                    seen.lock()
                        .unwrap()
                        .entry(event_type.clone())
                        .or_default()
                        .push(received.delivered);
                    match (event_type.as_str(), received.delivered) {
                        ("test.flaky", 1) => Handled::Retry(Duration::from_millis(50)),
                        ("test.poison", _) => Handled::Poison("cannot be handled".into()),
                        _ => Handled::Done,
                    }
                }
            })
            .await
        })
    };

    let durable = bus
        .durable_consumer("test-consumer", ">", Duration::from_secs(30))
        .await
        .expect("consumer");
    eventually(
        "every message to be settled",
        Duration::from_secs(20),
        || {
            let mut durable = durable.clone();
            async move {
                let info = durable.info().await.ok()?;
                (info.num_pending == 0
                    && info.num_ack_pending == 0
                    && info.delivered.stream_sequence == 4)
                    .then_some(())
            }
        },
    )
    .await;
    shutdown.cancel();
    task.await.expect("task").expect("consumer loop");

    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.get("test.flaky"),
        Some(&vec![1, 2]),
        "retried once, then done"
    );
    assert_eq!(
        seen.get("test.poison"),
        Some(&vec![1]),
        "terminated, never redelivered"
    );
    assert_eq!(seen.get("test.fine"), Some(&vec![1]));
    assert!(
        !seen.contains_key("test.garbage"),
        "undecodable payloads never reach the handler"
    );
    let _ = bus.delete_stream().await;
}
