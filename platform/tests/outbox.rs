//! The outbox against real Postgres and NATS: an event is published if and
//! only if its transaction committed, exactly once, whatever the relay and
//! the server go through.

use barpel_platform::{
    Shutdown,
    bus::{Bus, BusConfig},
    db, ids,
    outbox::{self, Relay, RelayConfig},
    testing::{self, PrivateNats, eventually},
};
use barpel_proto::events::v1::Event;
use prost::Message;
use sqlx::PgPool;
use std::time::Duration;

struct Fixture {
    pool: PgPool,
    schema: String,
    bus: Bus,
}

impl Fixture {
    async fn new(hint: &str, bus: BusConfig) -> Self {
        let database = testing::database(hint).await;
        let pool = db::connect(&database).await.expect("connect");
        outbox::migrate(&pool, &database.schema)
            .await
            .expect("migrate");
        let bus = Bus::connect(bus).await.expect("bus");
        Self {
            pool,
            schema: database.schema,
            bus,
        }
    }

    fn relay(&self) -> Relay {
        let mut config = RelayConfig::new(&self.schema);
        config.batch = 50;
        config.poll = Duration::from_millis(100);
        Relay::new(self.pool.clone(), self.bus.clone(), config)
    }

    /// Writes events in one transaction, committing or rolling back.
    async fn write(&self, events: &[Event], commit: bool) {
        let mut tx = self.pool.begin().await.expect("begin");
        for event in events {
            outbox::enqueue(&mut tx, event).await.expect("enqueue");
        }
        if commit {
            tx.commit().await.expect("commit");
        } else {
            tx.rollback().await.expect("rollback");
        }
    }

    async fn unsent(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }

    async fn stream_messages(&self) -> u64 {
        let mut stream = self
            .bus
            .jetstream()
            .get_stream(&self.bus.config().stream)
            .await
            .expect("stream");
        stream.info().await.expect("info").state.messages
    }

    async fn cleanup(self) {
        let _ = self.bus.delete_stream().await;
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA \"{}\" CASCADE",
            self.schema
        )))
        .execute(&self.pool)
        .await;
    }
}

fn events(n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| Event {
            id: ids::new_id("evt"),
            r#type: "test.happened".into(),
            account_id: format!("acct_{i}"),
            ..Default::default()
        })
        .collect()
}

#[tokio::test]
async fn committed_event_is_published_once_with_its_id() {
    let f = Fixture::new("outbox_commit", testing::bus("outbox_commit")).await;
    let written = events(1);
    f.write(&written, true).await;

    assert_eq!(f.relay().relay_batch().await.expect("relay"), 1);
    assert_eq!(f.relay().relay_batch().await.expect("relay again"), 0);
    assert_eq!(f.unsent().await, 0);
    assert_eq!(f.stream_messages().await, 1);

    let stream = f
        .bus
        .jetstream()
        .get_stream(&f.bus.config().stream)
        .await
        .expect("stream");
    let stored = stream.get_raw_message(1).await.expect("message");
    assert_eq!(
        stored.subject.as_str(),
        format!("{}.test.happened", f.bus.config().subject_prefix)
    );
    let headers = stored.headers;
    assert_eq!(
        headers.get("Nats-Msg-Id").map(|v| v.as_str()),
        Some(written[0].id.as_str())
    );
    assert_eq!(Event::decode(stored.payload).expect("decode"), written[0]);
    f.cleanup().await;
}

#[tokio::test]
async fn rolled_back_event_is_never_published() {
    let f = Fixture::new("outbox_rollback", testing::bus("outbox_rollback")).await;
    f.write(&events(3), false).await;
    assert_eq!(f.relay().relay_batch().await.expect("relay"), 0);
    assert_eq!(f.stream_messages().await, 0);
    f.cleanup().await;
}

#[tokio::test]
async fn two_relays_publish_each_event_once() {
    let f = Fixture::new("outbox_two", testing::bus("outbox_two")).await;
    let written = events(400);
    for chunk in written.chunks(40) {
        f.write(chunk, true).await;
    }
    // A relay that died after publishing but before marking its batch sent
    // leaves rows that will be published again: JetStream must drop them.
    for event in &written[..25] {
        let ack = f
            .bus
            .publish(
                &event.r#type,
                &event.id,
                event.encode_to_vec().into(),
                Default::default(),
            )
            .await
            .expect("publish");
        ack.await.expect("ack");
    }

    let shutdown = Shutdown::new();
    let first = tokio::spawn(f.relay().run(shutdown.clone()));
    let second = tokio::spawn(f.relay().run(shutdown.clone()));
    eventually("the outbox to drain", Duration::from_secs(30), || async {
        (f.unsent().await == 0).then_some(())
    })
    .await;
    shutdown.cancel();
    first.await.expect("first relay");
    second.await.expect("second relay");

    assert_eq!(f.stream_messages().await, 400);
    f.cleanup().await;
}

#[tokio::test]
async fn events_written_while_nats_is_down_are_published_once_after() {
    let mut nats = PrivateNats::start().await;
    let mut bus = testing::bus("outbox_outage");
    bus.url = nats.url();
    bus.memory = false; // survive the restart
    let f = Fixture::new("outbox_outage", bus).await;

    nats.stop().await;
    let written = events(60);
    for chunk in written.chunks(20) {
        f.write(chunk, true).await;
    }
    // The relay starts while the server is down: its publishes fail and the
    // rows stay unsent.
    let shutdown = Shutdown::new();
    let relay = tokio::spawn(f.relay().run(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.unsent().await, 60);

    nats.resume().await;
    eventually(
        "the outbox to drain after the outage",
        Duration::from_secs(60),
        || async { (f.unsent().await == 0).then_some(()) },
    )
    .await;
    shutdown.cancel();
    relay.await.expect("relay");

    assert_eq!(f.stream_messages().await, 60);
    f.cleanup().await;
}
