//! The REST API over real HTTP, with every service running in-process
//! against the real Postgres, NATS and Redis.

mod auth;
mod calls;
mod conventions;
mod openapi;
mod orders;
mod ratelimit;
mod support;
