//! An event-sourced Livepeer node.
//!
//! # Layout
//! - [`events`]: the vocabulary of past-tense facts, the record envelope and its codec. Pure.
//! - [`log`]: the durable, hash-chained, group-committed event log (fjall) and an in-memory twin.
//! - [`projections`]: pure folds over the log (chain view, streams, balances, …), checkpoints and
//!   digests.
//! - [`node`]: wiring: restoring projections from checkpoints (later the node's tasks).
//! - [`cli`]: command-line parsing, with go-livepeer's single-dash flag style.
//! - [`tools`]: operator commands over the log (`log verify|dump|stats`, `replay`, `bench log`,
//!   the demo).
//!
//! Invariants (checked by `tests/tidy.rs`): `events`, `projections` and `pm` do no I/O, read no
//! clock and no global RNG, and keep no unordered maps in state.

pub mod cli;
pub mod events;
pub mod log;
pub mod node;
pub mod projections;
pub mod tools;
