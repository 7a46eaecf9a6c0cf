//! An event-sourced Livepeer node.
//!
//! # Layout
//! - [`events`]: the vocabulary of past-tense facts, the record envelope and its codec. Pure.
//! - [`log`]: the durable, hash-chained, group-committed event log (fjall) and an in-memory twin.
//! - [`projections`]: pure folds over the log (chain view, streams, balances, …), checkpoints and
//!   digests.
//! - [`pm`]: probabilistic micropayments, wire-compatible with go-livepeer: tickets, signatures,
//!   params, the O's receive decision, the B's sessions and fees. Pure.
//! - [`commands`]: the decisions outside payments (segment admission, sessions, streams, the
//!   choice of O and of T, timeouts), pure: projections and inputs in, events or `Rejected` out.
//! - [`keystore`]: the persisted recipientRand secret; [`pm_bench`]: `bench pm`.
//! - [`media`]: the transcoder: one decode feeding a whole ladder (libavfilter + libx264, NVIDIA
//!   NVDEC/NVENC where present), per-stream sessions with timeouts, `transcode` and
//!   `bench transcode`. The only module that knows ffmpeg.
//! - [`api`]: the wire edge: the protobuf/gRPC code generated from `proto/net/*.proto` (the only
//!   module that sees it) and its mapping to the core's types (the `Livepeer-Payment` header).
//! - [`chain`]: chain integration, the only module that knows ethers beyond signing: today the
//!   mapping from Livepeer contract logs (TicketBroker funds, NewRound) to events.
//! - [`orch`]: the orchestrator on the network: one TLS port serving `net.Orchestrator` gRPC and
//!   `/segment`, with go-livepeer's checks, status codes and texts.
//! - [`bcast`]: the broadcaster: HTTP push ingest, the segment path through an O, HLS playback.
//! - [`httpd`]: the one accept loop behind every listener (TLS or plain, HTTP/1.1 or HTTP/2).
//! - [`node`]: wiring: restoring projections from checkpoints (later the node's tasks).
//! - [`cli`]: command-line parsing, with go-livepeer's single-dash flag style.
//! - [`worker`]: the transcoder role (T) as its own process, attached to an O.
//! - [`tools`]: operator commands over the log (`log verify|dump|stats`, `replay`, `bench log`,
//!   the demo).
//!
//! Invariants (checked by `tests/tidy.rs`): `events`, `projections` and `pm` do no I/O, read no
//! clock and no global RNG, and keep no unordered maps in state.

pub mod api;
pub mod bcast;
pub mod chain;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod events;
pub mod httpd;
pub mod keystore;
pub mod log;
pub mod media;
pub mod node;
pub mod orch;
pub mod pm;
pub mod pm_bench;
pub mod projections;
pub mod tools;
pub mod worker;
