//! The consuming side of the bus: a loop that pulls events from a durable
//! consumer, hands each to a handler and acknowledges only after the
//! handler has committed its own work.

use crate::{
    Shutdown,
    telemetry::{self, NatsHeaderReader},
};
use async_nats::jetstream::{AckKind, consumer::PullConsumer};
use barpel_proto::events::v1::Event;
use futures::StreamExt;
use prost::Message;
use std::{future::Future, time::Duration};
use tracing::Instrument;

/// What a handler made of an event.
#[derive(Debug)]
pub enum Handled {
    /// Done (committed, or deliberately ignored): acknowledge.
    Done,
    /// A transient failure: redeliver after the delay.
    Retry(Duration),
    /// The event can never be processed: terminate it, log it, move on.
    Poison(String),
}

/// An event as a handler sees it.
#[derive(Debug, Clone)]
pub struct ReceivedEvent {
    pub event: Event,
    /// How many times JetStream has delivered it (1 on first delivery).
    pub delivered: i64,
}

/// Runs until `shutdown`: pulls, decodes, handles, then acks, naks with a
/// delay, or terms. An undecodable payload is terminated as poison. On
/// shutdown it stops pulling; the message in hand is finished first.
pub async fn run_consumer<H, F>(
    name: &str,
    consumer: PullConsumer,
    shutdown: Shutdown,
    handler: H,
) -> anyhow::Result<()>
where
    H: Fn(ReceivedEvent) -> F,
    F: Future<Output = Handled>,
{
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(100)
        .heartbeat(Duration::from_secs(5))
        .messages()
        .await?;
    tracing::info!(consumer = name, "consuming events");
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => break,
            next = messages.next() => next,
        };
        let message = match next {
            None => break,
            Some(Ok(message)) => message,
            Some(Err(e)) => {
                tracing::warn!(consumer = name, error = %e, "pull failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let span = tracing::info_span!("consume", consumer = name, subject = %message.subject);
        if let Some(headers) = &message.headers {
            telemetry::set_parent_from(&span, &NatsHeaderReader(headers));
        }
        let delivered = message.info().map(|i| i.delivered).unwrap_or(1);
        let ack = match Event::decode(message.payload.clone()) {
            Err(e) => poison(name, &format!("undecodable event: {e}")),
            Ok(event) => match handler(ReceivedEvent { event, delivered })
                .instrument(span)
                .await
            {
                Handled::Done => AckKind::Ack,
                Handled::Retry(delay) => AckKind::Nak(Some(delay)),
                Handled::Poison(reason) => poison(name, &reason),
            },
        };
        if let Err(e) = message.ack_with(ack).await {
            // Not acked: JetStream redelivers after ack_wait, and handlers
            // are idempotent by event id, so this costs only time.
            tracing::warn!(consumer = name, error = %e, "ack failed");
        }
    }
    tracing::info!(consumer = name, "stopped consuming");
    Ok(())
}

fn poison(consumer: &str, reason: &str) -> AckKind {
    tracing::error!(consumer, reason, "poison message terminated");
    AckKind::Term
}
