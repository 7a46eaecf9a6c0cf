//! The wire edge: the only module that sees the protobuf/gRPC types generated from
//! `proto/net/*.proto` ([`proto`]). Everything here translates between those types and the
//! crate's own (`pm::wire`, `pm::TicketParams`, `events::Price`) and decides nothing: the pure
//! modules never name a generated type.
//!
//! - [`proto`]: the generated `net` package (messages, servers, clients), included once.
//! - [`multipart`]: `multipart/mixed` bodies (T results, B push answers), written and read.
//! - [`payment`]: the `Livepeer-Payment` header (base64 of `net.Payment`) ↔ `pm::wire::WirePayment`.
//! - [`redeemer`]: `net.Ticket` and the max-float messages of the redeemer service.
//! - [`segment`]: the `Livepeer-Segment` header (base64 of `net.SegData`) ↔ `segment::SegMeta`
//!   (with the profiles as `media::VideoProfile`), and `net.AuthToken`.
//! - [`capabilities`]: this O's `net.Capabilities` and a B job's capability bits.
//! - [`status`]: the one table from refusals (`commands::Rejected`, payment errors) to HTTP
//!   statuses and texts.
//! - [`ticket_params`]: `net.TicketParams`, `TicketSenderParams`, `TicketExpirationParams`,
//!   `PriceInfo` and the payment part of `OrchestratorInfo` ↔ the pm types, both directions.
//! - [`info`]: `net.OrchestratorInfo` and `net.TranscodeResult` ↔ `OrchInfo`, `SegmentResult`;
//!   [`task`]: `net.NotifySegment` ↔ `TaskNotice` (the remote-transcoder protocol).
//! - [`orchestrator`]: the O's gRPC services and HTTP routes over its `OrchestratorPort`;
//!   [`broadcaster`]: the B's push ingest and HLS routes over its `BroadcasterPort`;
//!   [`hls`]: playlists rendered from the streams projection.
//! - [`cli`]: the CLI HTTP API (`-cliAddr`) over the node's `CliPort`.
//! - [`metrics`]: `GET /metrics` on the CLI port (`-monitor`), text the node renders.
//! - [`client`]: the B's calls to an O; [`transcoder`]: the T's; [`tls`]: go-livepeer's
//!   self-signed certificate and the clients' no-verify TLS.

pub mod broadcaster;
pub mod capabilities;
pub mod cli;
pub mod client;
pub mod hls;
pub mod info;
pub mod metrics;
pub mod multipart;
pub mod orchestrator;
pub mod payment;
pub mod proto;
pub mod redeemer;
pub mod redeemer_client;
pub mod redeemer_service;
pub mod segment;
pub mod status;
pub mod task;
pub mod ticket_params;
pub mod tls;
pub mod transcoder;
