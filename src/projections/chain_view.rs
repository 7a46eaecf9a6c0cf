//! Chain view and key-value facts: last blocks (with reverts), rounds, pool size, chain id.

use super::Projection;
use crate::events::{Envelope, Event, Hash32};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many recent blocks are kept to handle reverts (the reference's block watcher keeps 20).
pub const BLOCK_WINDOW: usize = 20;

/// What the node knows of the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainView {
    /// Recent canonical blocks: number → (hash, L1 number).
    pub blocks: BTreeMap<u64, (Hash32, u64)>,
    /// Highest L1 block number seen among canonical blocks.
    pub last_l1_block: u64,
    /// Last initialized round.
    pub round: u64,
    /// Its L1 block hash.
    pub round_block_hash: Hash32,
    /// The previous round's L1 block hash (fallback when the current one is zero).
    pub prev_round_block_hash: Hash32,
    /// Active pool size by round.
    pub pool_size: u64,
    /// Chain id of the last node start.
    pub chain_id: u64,
    /// Network name of the last node start.
    pub network: String,
    /// Number of node starts.
    pub starts: u64,
    /// Key-value facts.
    pub kv: BTreeMap<String, Vec<u8>>,
}

impl ChainView {
    /// The last canonical block number and hash.
    pub fn last_block(&self) -> Option<(u64, Hash32)> {
        self.blocks.iter().next_back().map(|(n, (h, _))| (*n, *h))
    }
}

impl Projection for ChainView {
    const NAME: &'static str = "chain";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        match &env.event {
            Event::NodeStarted(e) => {
                self.chain_id = e.chain_id;
                self.network.clone_from(&e.network);
                self.starts += 1;
            }
            Event::KvSet(e) => {
                self.kv.insert(e.key.clone(), e.value.clone());
            }
            Event::BlockObserved(b) => {
                // A block at a height we hold replaces it and everything above (a reorg).
                let _ = self.blocks.split_off(&b.number);
                self.blocks.insert(b.number, (b.hash, b.l1_number));
                while self.blocks.len() > BLOCK_WINDOW {
                    self.blocks.pop_first();
                }
                self.last_l1_block = self.last_l1_block.max(b.l1_number);
            }
            Event::BlockReverted(r)
                if self.blocks.get(&r.number).map(|(h, _)| *h) == Some(r.hash) =>
            {
                let _ = self.blocks.split_off(&r.number);
                self.last_l1_block = self.blocks.values().map(|(_, l1)| *l1).max().unwrap_or(0);
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
