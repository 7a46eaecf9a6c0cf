//! An event-sourced Livepeer node.
//!
//! # Layout
//! - [`events`]: the vocabulary of past-tense facts, the record envelope and its codec. Pure.
//! - [`audit`]: the accounting an operator can prove: balance ledgers, ticket fates, redemptions
//!   against transfers (`livepeer audit`), one ticket's decision path (`livepeer dispute`). Pure.
//! - [`log`]: the durable, hash-chained, group-committed event log (fjall) and an in-memory twin.
//! - [`projections`]: pure folds over the log (chain view, streams, balances, …), checkpoints and
//!   digests.
//! - [`pm`]: probabilistic micropayments, wire-compatible with go-livepeer: tickets, signatures,
//!   params, the O's receive decision, the B's sessions and fees. Pure.
//! - [`commands`]: the decisions outside payments (segment admission, sessions, streams, the
//!   choice of O and of T, timeouts), pure: projections and inputs in, events or `Rejected` out.
//! - [`media`]: the transcoder: one decode feeding a whole ladder (libavfilter + libx264, NVIDIA
//!   NVDEC/NVENC where present), per-stream sessions with timeouts, `transcode` and
//!   `bench transcode`. The only module that knows ffmpeg.
//! - [`api`]: the wire edge, the only module that names the protobuf/gRPC types generated from
//!   `proto/net/*.proto`: the O's and B's handlers (over the ports the node implements), the B's
//!   and T's clients of an O, headers, HLS playlists, and the status table for refusals.
//! - [`chain`]: chain integration, the only module that knows ethers beyond signing: today the
//!   mapping from Livepeer contract logs (TicketBroker funds, NewRound) to events.
//! - [`node`]: the runtime: the one writer (decide → append → apply), the roles (O, B, T) and
//!   every task they start; the only code that spawns (with `log` and `media` threads).
//! - [`cli`]: command-line parsing, with go-livepeer's single-dash flag style.
//! - [`tools`]: operator commands over the log (`log verify|dump|stats`, `replay`, `bench`,
//!   the demo).
//!
//! Invariants (checked by `tests/tidy.rs`): `events`, `projections`, `pm` and `commands` do no
//! I/O, read no clock and no global RNG, and keep no unordered maps in state; imports follow
//! the allow-list in `docs/ARCHITECTURE.md`; one tokio runtime, built in `main.rs`.

pub mod api;
pub mod audit;
pub mod chain;
pub mod cli;
pub mod commands;
pub mod events;
pub mod log;
pub mod media;
pub mod node;
pub mod pm;
pub mod projections;
pub mod tools;
