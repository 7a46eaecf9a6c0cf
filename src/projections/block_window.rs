//! The blocks this node observed, the last [`BLOCK_WINDOW`] of them: its polling record, kept to
//! find where a reorg forked. Which blocks a node saw depends on when it polled, so this
//! projection differs between nodes on the same chain by design; what the chain says lives in
//! [`super::ChainView`].

use super::Projection;
use crate::events::{Envelope, Event, Hash32};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many recent blocks are kept to handle reverts (the reference's block watcher keeps 20).
pub const BLOCK_WINDOW: usize = 20;

/// Recent canonical blocks the node observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockWindow {
    /// Block number → (hash, L1 number).
    pub blocks: BTreeMap<u64, (Hash32, u64)>,
}

impl BlockWindow {
    /// The last observed canonical block number and hash.
    pub fn last_block(&self) -> Option<(u64, Hash32)> {
        self.blocks.iter().next_back().map(|(n, (h, _))| (*n, *h))
    }
}

impl Projection for BlockWindow {
    const NAME: &'static str = "blocks";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        match &env.event {
            Event::BlockObserved(b) => {
                // A block at a height we hold replaces it and everything above (a reorg).
                let _ = self.blocks.split_off(&b.number);
                self.blocks.insert(b.number, (b.hash, b.l1_number));
                while self.blocks.len() > BLOCK_WINDOW {
                    self.blocks.pop_first();
                }
            }
            Event::BlockReverted(r)
                if self.blocks.get(&r.number).map(|(h, _)| *h) == Some(r.hash) =>
            {
                let _ = self.blocks.split_off(&r.number);
            }
            _ => {}
        }
    }
}
