//! Compiles the contracts with protox (pure Rust), so `cargo build` needs no
//! system `protoc`. The same descriptor set is written out for gRPC
//! reflection.

use prost::Message;
use std::{env, fs, path::PathBuf};

const PROTOS: &[&str] = &[
    "barpel/common/v1/common.proto",
    "barpel/calls/v1/calls.proto",
    "barpel/orders/v1/orders.proto",
    "barpel/analytics/v1/analytics.proto",
    "barpel/webhooks/v1/webhooks.proto",
    "barpel/events/v1/events.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=barpel");
    let fds = protox::compile(PROTOS, ["."])?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out.join("barpel_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure().compile_fds(fds)?;
    Ok(())
}
