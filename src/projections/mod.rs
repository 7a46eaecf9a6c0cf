//! Projections: pure folds over the log. State that matters is derived here, never stored apart.
//!
//! Each projection has a `NAME`, a `VERSION` (a change rebuilds it from seq 0) and a canonical
//! encoding (postcard of sorted maps) whose blake3 is its digest. `Projections` holds them all,
//! each in a `Slot` that remembers the next seq it expects, so a projection restored from a
//! checkpoint skips records it already holds. No I/O, no clock, no randomness here.

pub mod audit_index;
pub mod balances;
mod block_window;
mod chain_view;
pub mod config;
pub mod hash_keyed;
pub mod max_float;
pub mod node_facts;
pub mod nonces;
mod orchestrators;
pub mod payments;
mod registry;
mod seq_index;
mod streams;
pub mod ticket_queue;
pub mod transactions;
mod unbonding;

pub use block_window::{BlockWindow, BLOCK_WINDOW};
pub use chain_view::ChainView;
pub use node_facts::NodeFacts;
pub use orchestrators::Orchestrators;
pub use registry::{Checkpoint, Projections, Slot, SlotInfo};
pub use streams::{AdmittedLadder, StreamState, Streams, VariantSize, RECENT_SEGMENTS};
pub use unbonding::{LockState, UnbondingLocks};

use crate::events::{Envelope, Hash32};
use serde::{de::DeserializeOwned, Serialize};

/// A pure fold over the log.
pub trait Projection: Default + Clone + Serialize + DeserializeOwned + Send + 'static {
    /// Stable name (checkpoint key, digest label).
    const NAME: &'static str;
    /// Bump when `apply` or the state's shape changes: the projection is rebuilt from seq 0.
    const VERSION: u32;

    /// Folds one record into the state.
    fn apply(&mut self, env: &Envelope);

    /// Canonical encoding of the state.
    fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// blake3 of the canonical encoding.
    fn digest(&self) -> Hash32 {
        Hash32(*blake3::hash(&self.encode()).as_bytes())
    }
}
