//! The orchestrator role (O) on the network: what a B talks to.
//!
//! - [`server`]: one TLS port for gRPC and HTTP ([`tls`]: go-livepeer's self-signed certificate).
//! - [`grpc`]: `net.Orchestrator` (`GetOrchestrator`, `Ping`, `EndTranscodingSession`).
//! - [`http`]: `POST /segment`, `GET /stream/...`, `/healthz`.
//! - [`service`]: the request handling behind both, in the reference's check order.
//! - [`store`]: rendition bytes kept for the B to fetch.
//!
//! Edge code: it reads the clock and draws session ids; what it decides about money goes through
//! the pure `pm` decisions and the event log.

pub mod grpc;
pub mod http;
pub mod remote;
pub mod server;
pub mod service;
pub mod store;
pub mod tls;

pub use service::{OrchConfig, Orchestrator};
