//! What the chain says, as the node last read it: the head block and its L1 block number, the
//! last initialised round with its block hashes, the active pool's size. Two nodes that read the
//! same canonical chain hold the same view, whatever they saw before a reorg (which blocks each
//! one polled is [`super::block_window::BlockWindow`]'s, node facts are
//! [`super::node_facts::NodeFacts`]').

use super::Projection;
use crate::events::{Envelope, Event, Hash32};
use serde::{Deserialize, Serialize};

/// The node's view of the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainView {
    /// The head block last observed: number and hash (none after it was reverted, until the next
    /// observation, which the watcher appends in the same batch).
    pub head: Option<(u64, Hash32)>,
    /// The head's L1 block number (its own number off Arbitrum).
    pub last_l1_block: u64,
    /// Last initialized round.
    pub round: u64,
    /// Its L1 block hash.
    pub round_block_hash: Hash32,
    /// The previous round's L1 block hash (fallback when the current one is zero).
    pub prev_round_block_hash: Hash32,
    /// Active pool size by round.
    pub pool_size: u64,
}

impl ChainView {
    /// The head block number and hash.
    pub fn last_block(&self) -> Option<(u64, Hash32)> {
        self.head
    }
}

impl Projection for ChainView {
    const NAME: &'static str = "chain";
    const VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope) {
        match &env.event {
            Event::BlockObserved(b) => {
                self.head = Some((b.number, b.hash));
                self.last_l1_block = b.l1_number;
            }
            Event::BlockReverted(r) if self.head.is_some_and(|(_, h)| h == r.hash) => {
                self.head = None;
            }
            Event::RoundInitialized(r) => {
                if r.round > self.round {
                    self.prev_round_block_hash = self.round_block_hash;
                }
                self.round = r.round;
                self.round_block_hash = r.block_hash;
            }
            Event::PoolSizeChanged(p) => self.pool_size = p.size,
            _ => {}
        }
    }
}
