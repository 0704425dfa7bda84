//! Barpel's contracts: the gRPC services of every backend and the event
//! envelope that travels on the bus, generated from `proto/barpel/**`.
//!
//! Domain code converts to and from these types at its edges (`grpc.rs` in
//! each service); nothing else should depend on their shape.

pub mod json;
pub mod time;

/// Encoded `FileDescriptorSet` of every contract, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/barpel_descriptor.bin"));

pub mod common {
    pub mod v1 {
        tonic::include_proto!("barpel.common.v1");
    }
}

pub mod calls {
    pub mod v1 {
        tonic::include_proto!("barpel.calls.v1");
    }
}

pub mod orders {
    pub mod v1 {
        tonic::include_proto!("barpel.orders.v1");
    }
}

pub mod analytics {
    pub mod v1 {
        tonic::include_proto!("barpel.analytics.v1");
    }
}

pub mod webhooks {
    pub mod v1 {
        tonic::include_proto!("barpel.webhooks.v1");
    }
}

pub mod events {
    pub mod v1 {
        tonic::include_proto!("barpel.events.v1");
    }
}

pub use common::v1::{ErrorInfo, Money, PageRequest, Tenant};
