//! gRPC wiring shared by every service: a server with health and
//! reflection already mounted, lazily-connected client channels that carry
//! trace context, and the mapping between `ServiceError` and `tonic::Status`.

use crate::{
    ErrorKind, ServiceError, Shutdown,
    telemetry::{self, HeaderCarrier, HeaderReader},
};
use barpel_proto::ErrorInfo;
use prost::Message;
use std::{net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tonic::{
    Code, Request, Status,
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint, Server, server::Router, server::TcpIncoming},
};
use tonic_health::server::HealthReporter;

/// Binds a listener; port 0 picks a free port, reported by the result.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr()?;
    Ok((listener, bound))
}

/// A router with the gRPC health and reflection services mounted, and a
/// span per request that continues the caller's trace. Add the service's
/// own servers, then mark them serving on the returned reporter.
pub fn router() -> anyhow::Result<(Router, HealthReporter)> {
    let (reporter, health) = tonic_health::server::health_reporter();
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(barpel_proto::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let router = Server::builder()
        .trace_fn(|req| {
            let span = tracing::info_span!("grpc", path = %req.uri().path());
            telemetry::set_parent_from(&span, &HeaderReader(req.headers()));
            span
        })
        .add_service(health)
        .add_service(reflection);
    Ok((router, reporter))
}

/// Serves until `shutdown` is cancelled, then drains in-flight calls.
///
/// Accepted connections get `TCP_NODELAY`: tonic only sets it on listeners
/// it binds itself, and without it a response written in two segments waits
/// for the client's delayed ACK (~40 ms on Linux) before its second half.
pub async fn serve(
    router: Router,
    listener: TcpListener,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    router
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await?;
    Ok(())
}

/// A client channel that adds the current trace context to each request.
pub type TracedChannel = InterceptedService<Channel, TraceContext>;

/// Copies the current span's `traceparent` into outgoing gRPC metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceContext;

impl Interceptor for TraceContext {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let mut headers = http::HeaderMap::new();
        telemetry::inject(&mut HeaderCarrier(&mut headers));
        let mut request = request;
        if let Some(value) = headers
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
        {
            request.metadata_mut().insert("traceparent", value);
        }
        Ok(request)
    }
}

/// A channel to `url` that connects on first use and reconnects by itself,
/// so a backend that starts later (or restarts) does not fail its callers'
/// start-up.
pub fn channel(url: &str) -> anyhow::Result<TracedChannel> {
    let endpoint = Endpoint::from_shared(url.to_owned())
        .map_err(|e| anyhow::anyhow!("bad gRPC URL {url:?}: {e}"))?
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30));
    Ok(InterceptedService::new(
        endpoint.connect_lazy(),
        TraceContext,
    ))
}

/// A domain error as a gRPC status with `ErrorInfo` in its details.
pub fn status(error: ServiceError) -> Status {
    let code = match error.kind {
        ErrorKind::InvalidArgument => Code::InvalidArgument,
        ErrorKind::NotFound => Code::NotFound,
        ErrorKind::FailedPrecondition => Code::FailedPrecondition,
        ErrorKind::AlreadyExists => Code::AlreadyExists,
        ErrorKind::Unavailable => Code::Unavailable,
        ErrorKind::DeadlineExceeded => Code::DeadlineExceeded,
        ErrorKind::Internal => Code::Internal,
    };
    let info = ErrorInfo {
        code: error.code.into_owned(),
        param: error.param.unwrap_or_default(),
    };
    Status::with_details(code, error.message, info.encode_to_vec().into())
}

/// A gRPC status as a domain error: the inverse of [`status`], and for
/// statuses that did not come from a Barpel service (deadline, transport)
/// the closest kind with a generic code.
pub fn error_from_status(status: &Status) -> ServiceError {
    let info = ErrorInfo::decode(status.details()).unwrap_or_default();
    let (kind, fallback) = match status.code() {
        Code::InvalidArgument | Code::OutOfRange => {
            (ErrorKind::InvalidArgument, "parameter_invalid")
        }
        Code::NotFound => (ErrorKind::NotFound, "resource_missing"),
        Code::FailedPrecondition | Code::Aborted => {
            (ErrorKind::FailedPrecondition, "invalid_state")
        }
        Code::AlreadyExists => (ErrorKind::AlreadyExists, "resource_exists"),
        Code::Unavailable | Code::ResourceExhausted => {
            (ErrorKind::Unavailable, "service_unavailable")
        }
        // tonic reports its own client-side deadline as Cancelled.
        Code::DeadlineExceeded | Code::Cancelled => (ErrorKind::DeadlineExceeded, "timeout"),
        _ => (ErrorKind::Internal, "internal_error"),
    };
    let code = if info.code.is_empty() {
        fallback.to_owned()
    } else {
        info.code
    };
    ServiceError {
        kind,
        code: code.into(),
        message: status.message().to_owned(),
        param: Some(info.param).filter(|p| !p.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_round_trip_through_status() {
        let original = ServiceError::invalid("phone_number", "phone_number_invalid", "bad number");
        let status = status(original.clone());
        assert_eq!(status.code(), Code::InvalidArgument);
        let back = error_from_status(&status);
        assert_eq!(back.kind, ErrorKind::InvalidArgument);
        assert_eq!(back.code, "phone_number_invalid");
        assert_eq!(back.param.as_deref(), Some("phone_number"));
        assert_eq!(back.message, "bad number");
    }

    #[test]
    fn foreign_statuses_get_generic_codes() {
        let back = error_from_status(&Status::deadline_exceeded("slow"));
        assert_eq!(back.kind, ErrorKind::DeadlineExceeded);
        assert_eq!(back.code, "timeout");
        assert_eq!(back.param, None);
    }
}
