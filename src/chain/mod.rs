//! Chain integration: the only module that knows ethers beyond pure signing (dependencies.md §5:
//! keep ethers here, so a later move to alloy stays local; ethers types never reach a stored
//! event). It maps chain data to events and applies no business rules: what a log means for a
//! sender's max float is the projections' business (`projections::max_float`).
//!
//! Today: [`topics`] (topic0 of the Livepeer events we watch), [`logs`] (a decoded log → an
//! [`Event`](crate::events::Event)), [`convert`] (ethers integers and hashes → our fixed-width
//! types), [`rpc`] (a JSON-RPC client: signed transactions, calls, anvil's methods),
//! [`artifacts`] (the real protocol contracts' compiled artifacts from `@livepeer/sdk`) and
//! [`deploy`] (the protocol deployed on a devchain), [`controller`] (contracts looked up by id)
//! and [`watch`] (one poll of the chain: logs and the head block as events).
//!
//! Reorgs: a log with `removed: true` is never mapped to an event. The watcher checks
//! [`logs::is_removed`], appends `BlockReverted` for the block and re-reads the affected state
//! whole (`SenderFundsObserved`, …), as DESIGN.md describes and as go-livepeer's watchers refetch
//! over RPC.

pub mod actions;
pub mod artifacts;
pub mod calls;
pub mod controller;
pub mod convert;
pub mod deploy;
pub mod first_sync;
pub mod logs;
pub mod rpc;
pub mod topics;
pub mod tx;
pub mod watch;

#[cfg(test)]
mod tests;

/// Why a log of a known topic could not be mapped. Logs of unknown topics are not errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The log has the wrong number of topics for its event (an indexed-ness mismatch).
    #[error("{event} log has {got} topics, expected {expected}")]
    TopicCount {
        /// The event the topic0 names.
        event: &'static str,
        /// Topics the event has (topic0 included).
        expected: usize,
        /// Topics the log has.
        got: usize,
    },
    /// The log's data is not the ABI encoding of the event's non-indexed parameters.
    #[error("{event} log has {got} data bytes, expected {expected}")]
    DataLength {
        /// The event the topic0 names.
        event: &'static str,
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        got: usize,
    },
    /// An indexed address topic has non-zero padding.
    #[error("{event} topic {index} is not an ABI-encoded address")]
    BadAddress {
        /// The event the topic0 names.
        event: &'static str,
        /// Index of the topic.
        index: usize,
    },
    /// An integer does not fit our type (a round beyond `u64`, a log index beyond `u32`).
    #[error("{event} {field} does not fit in {ty}")]
    Overflow {
        /// The event the topic0 names.
        event: &'static str,
        /// The field.
        field: &'static str,
        /// Our type.
        ty: &'static str,
    },
    /// The log is pending: it has no block number, block hash or log index yet.
    #[error("{event} log is pending: it has no {missing}")]
    Pending {
        /// The event the topic0 names.
        event: &'static str,
        /// What is missing.
        missing: &'static str,
    },
    /// A `NewRound` log needs the round's start L1 block, which is not in the log: map it with
    /// [`logs::round_from_log`].
    #[error("NewRound log needs the round's L1 start block: map it with round_from_log")]
    NeedsL1Block,
    /// The node could not be reached or answered with an error.
    #[error("Ethereum RPC: {0}")]
    Rpc(String),
    /// A call or transaction reverted, with the contract's reason.
    #[error("reverted: {0}")]
    Reverted(String),
    /// A contract artifact is missing or unreadable.
    #[error("contract artifact: {0}")]
    Artifact(String),
}
