//! Facts about the node itself: the chain id and network of its last start, how many times it
//! started, and key-value facts. A datadir that has seen one chain refuses another.

use super::Projection;
use crate::events::{Envelope, Event};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the node recorded about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeFacts {
    /// Chain id of the last node start.
    pub chain_id: u64,
    /// Network name of the last node start.
    pub network: String,
    /// Number of node starts.
    pub starts: u64,
    /// Key-value facts.
    pub kv: BTreeMap<String, Vec<u8>>,
}

impl Projection for NodeFacts {
    const NAME: &'static str = "node";
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
            _ => {}
        }
    }
}
