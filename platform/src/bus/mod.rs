//! The JetStream bus: one stream (`EVENTS`, subjects `events.>`) that every
//! service publishes to through its outbox and that consumers read with
//! durable pull consumers.
//!
//! Stream name and subject prefix are configuration so that each test can
//! have a private stream on the shared server.

mod consumer;

pub use consumer::{Handled, ReceivedEvent, run_consumer};

use crate::config::{ConfigError, Env};
use async_nats::jetstream::{self, consumer::PullConsumer, context::PublishAckFuture, stream};
use bytes::Bytes;
use std::time::Duration;

/// The default local NATS, as in the README.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";

/// Where events go.
#[derive(Debug, Clone)]
pub struct BusConfig {
    /// `nats://…`.
    pub url: String,
    /// JetStream stream name (`EVENTS`).
    pub stream: String,
    /// First subject token (`events` → `events.call.completed`).
    pub subject_prefix: String,
    /// How long the stream keeps events.
    pub max_age: Duration,
    /// Memory storage (tests) instead of file storage.
    pub memory: bool,
    /// How long start-up keeps retrying an unreachable server.
    pub connect_timeout: Duration,
}

impl BusConfig {
    /// Reads `NATS_URL`, `EVENTS_STREAM`, `EVENTS_SUBJECT_PREFIX`,
    /// `EVENTS_MAX_AGE_MS` and `NATS_CONNECT_TIMEOUT_MS`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            url: env.url("NATS_URL", DEFAULT_NATS_URL, &["nats", "tls"])?,
            stream: env.name("EVENTS_STREAM", "EVENTS")?,
            subject_prefix: env.name("EVENTS_SUBJECT_PREFIX", "events")?,
            max_age: env.millis("EVENTS_MAX_AGE_MS", Duration::from_secs(30 * 24 * 3600))?,
            memory: false,
            connect_timeout: env.millis("NATS_CONNECT_TIMEOUT_MS", Duration::from_secs(15))?,
        })
    }

    /// The subject an event type is published on.
    pub fn subject(&self, event_type: &str) -> String {
        format!("{}.{event_type}", self.subject_prefix)
    }
}

/// Failures that stop a service from starting or publishing.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error(
        "cannot reach NATS at {url}: {reason}. Is nats-server running with JetStream (-js)? Start it, or set NATS_URL."
    )]
    Unreachable { url: String, reason: String },
    #[error("JetStream stream {stream}: {reason}")]
    Stream { stream: String, reason: String },
    #[error("publishing to JetStream: {0}")]
    Publish(String),
}

/// A connection to the bus with the stream ensured.
#[derive(Clone, Debug)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    config: BusConfig,
}

impl Bus {
    /// Connects (retrying for `connect_timeout`) and gets or creates the
    /// stream. Once connected the client reconnects by itself forever.
    pub async fn connect(config: BusConfig) -> Result<Self, BusError> {
        let client = connect_with_retry(&config).await?;
        let js = jetstream::new(client.clone());
        let bus = Self { client, js, config };
        bus.ensure_stream().await?;
        Ok(bus)
    }

    pub fn config(&self) -> &BusConfig {
        &self.config
    }

    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    async fn ensure_stream(&self) -> Result<(), BusError> {
        let storage = if self.config.memory {
            stream::StorageType::Memory
        } else {
            stream::StorageType::File
        };
        self.js
            .get_or_create_stream(stream::Config {
                name: self.config.stream.clone(),
                subjects: vec![format!("{}.>", self.config.subject_prefix)],
                max_age: self.config.max_age,
                storage,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            })
            .await
            .map_err(|e| BusError::Stream {
                stream: self.config.stream.clone(),
                reason: e.to_string(),
            })?;
        Ok(())
    }

    /// Sends one event; the returned future resolves when JetStream has
    /// stored it. `msg_id` becomes `Nats-Msg-Id`, so a republished copy
    /// within the stream's duplicate window is dropped by the server.
    pub async fn publish(
        &self,
        event_type: &str,
        msg_id: &str,
        payload: Bytes,
        mut headers: async_nats::HeaderMap,
    ) -> Result<PublishAckFuture, BusError> {
        headers.insert("Barpel-Event-Type", event_type);
        // Headers first: `headers()` replaces the map, `message_id()` adds to it.
        let message = jetstream::message::PublishMessage::build()
            .payload(payload)
            .headers(headers)
            .message_id(msg_id);
        self.js
            .send_publish(self.config.subject(event_type), message)
            .await
            .map_err(|e| BusError::Publish(e.to_string()))
    }

    /// Gets or creates a durable pull consumer with explicit acks, reading
    /// the subjects that match `filter` (`call.*`, `>`), from the start of
    /// the stream.
    pub async fn durable_consumer(
        &self,
        durable: &str,
        filter: &str,
        ack_wait: Duration,
    ) -> Result<PullConsumer, BusError> {
        let stream =
            self.js
                .get_stream(&self.config.stream)
                .await
                .map_err(|e| BusError::Stream {
                    stream: self.config.stream.clone(),
                    reason: e.to_string(),
                })?;
        stream
            .get_or_create_consumer(
                durable,
                jetstream::consumer::pull::Config {
                    durable_name: Some(durable.to_owned()),
                    filter_subject: self.config.subject(filter),
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    ack_wait,
                    max_ack_pending: 1_000,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| BusError::Stream {
                stream: self.config.stream.clone(),
                reason: format!("consumer {durable}: {e}"),
            })
    }

    /// Deletes the stream (tests clean up their private streams with this).
    pub async fn delete_stream(&self) -> Result<(), BusError> {
        self.js
            .delete_stream(&self.config.stream)
            .await
            .map(|_| ())
            .map_err(|e| BusError::Stream {
                stream: self.config.stream.clone(),
                reason: e.to_string(),
            })
    }
}

async fn connect_with_retry(config: &BusConfig) -> Result<async_nats::Client, BusError> {
    let deadline = tokio::time::Instant::now() + config.connect_timeout;
    let mut delay = Duration::from_millis(100);
    loop {
        let options = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(2))
            .max_reconnects(None);
        match options.connect(config.url.as_str()).await {
            Ok(client) => return Ok(client),
            Err(e) if tokio::time::Instant::now() + delay > deadline => {
                return Err(BusError::Unreachable {
                    url: config.url.clone(),
                    reason: e.to_string(),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "NATS not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}
