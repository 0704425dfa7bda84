//! Logging and tracing. Human-readable logs by default, JSON with
//! `LOG_FORMAT=json`; spans exported over OTLP when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set. W3C trace context crosses every hop
//! (HTTP → gRPC metadata → NATS headers → webhook request) through the
//! `inject`/`extract` helpers here, so one trace follows a call end to end.

use crate::config::{ConfigError, Env};
use opentelemetry::{
    Context,
    propagation::{Extractor, Injector},
    trace::TracerProvider as _,
};
use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider};
use std::io::IsTerminal;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

/// Info from our code; Postgres notices ("schema already exists") only
/// when they are warnings.
const DEFAULT_FILTER: &str = "info,sqlx::postgres::notice=warn";

/// How logs and traces leave the process.
#[derive(Debug, Clone)]
pub struct TelemetryConfig {
    /// JSON lines instead of pretty logs.
    pub json: bool,
    /// `RUST_LOG`-style filter.
    pub filter: String,
    /// OTLP/gRPC collector, e.g. `http://127.0.0.1:4317`.
    pub otlp_endpoint: Option<String>,
}

impl TelemetryConfig {
    /// Reads `LOG_FORMAT` (`pretty`|`json`), `RUST_LOG` and
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let format = env.string("LOG_FORMAT", "pretty");
        let json = match format.as_str() {
            "pretty" => false,
            "json" => true,
            _ => {
                return Err(ConfigError {
                    var: "LOG_FORMAT".into(),
                    value: format,
                    reason: "expected pretty or json".into(),
                });
            }
        };
        Ok(Self {
            json,
            filter: env.string("RUST_LOG", DEFAULT_FILTER),
            otlp_endpoint: env
                .get("OTEL_EXPORTER_OTLP_ENDPOINT")
                .map(|_| env.url("OTEL_EXPORTER_OTLP_ENDPOINT", "", &["http", "https"]))
                .transpose()?,
        })
    }
}

/// Flushes exported spans when dropped at the end of `main`.
#[must_use = "spans are flushed when the guard drops"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            let _ = provider.shutdown();
        }
    }
}

/// Installs the global subscriber and propagator. Call once, in `main`.
pub fn init(service: &'static str, config: &TelemetryConfig) -> anyhow::Result<TelemetryGuard> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = EnvFilter::try_new(&config.filter)
        .map_err(|e| anyhow::anyhow!("invalid value for RUST_LOG={:?}: {e}", config.filter))?;
    // Logs go to stderr so that what a command prints (keys, curl lines)
    // stays clean on stdout.
    let fmt = if config.json {
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .compact()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .boxed()
    };
    let provider = config
        .otlp_endpoint
        .as_deref()
        .map(|endpoint| otlp_provider(service, endpoint))
        .transpose()?;
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer(service)));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()?;
    Ok(TelemetryGuard { provider })
}

fn otlp_provider(service: &'static str, endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    use opentelemetry_otlp::WithExportConfig;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(service)
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Writes the current span's trace context (`traceparent`) into a carrier.
pub fn inject(carrier: &mut dyn Injector) {
    let cx = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, carrier));
}

/// Makes `span` a child of the trace context found in a carrier, if any.
pub fn set_parent_from(span: &tracing::Span, carrier: &dyn Extractor) {
    let cx: Context = opentelemetry::global::get_text_map_propagator(|p| p.extract(carrier));
    let _ = span.set_parent(cx);
}

/// `http::HeaderMap` as a propagation carrier (HTTP and gRPC metadata).
pub struct HeaderCarrier<'a>(pub &'a mut http::HeaderMap);

impl Injector for HeaderCarrier<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(key.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Read-only `http::HeaderMap` carrier.
pub struct HeaderReader<'a>(pub &'a http::HeaderMap);

impl Extractor for HeaderReader<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// NATS headers as a propagation carrier.
pub struct NatsHeaders<'a>(pub &'a mut async_nats::HeaderMap);

impl Injector for NatsHeaders<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key, value.as_str());
    }
}

/// Read-only NATS headers carrier.
pub struct NatsHeaderReader<'a>(pub &'a async_nats::HeaderMap);

impl Extractor for NatsHeaderReader<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_ref()).collect()
    }
}

/// The current trace context as a `traceparent` string (empty outside a
/// trace), for storing beside an outbox row.
pub fn current_traceparent() -> String {
    let mut headers = http::HeaderMap::new();
    inject(&mut HeaderCarrier(&mut headers));
    headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
