//! Node-level facts: the process started, a key-value fact was set.

use serde::{Deserialize, Serialize};

/// The node process started with this configuration summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStarted {
    /// Crate version.
    pub version: String,
    /// Network name (`offchain`, `arbitrum-one-mainnet`, …).
    pub network: String,
    /// Chain id (0 offchain).
    pub chain_id: u64,
    /// Roles enabled (`broadcaster`, `orchestrator`, `transcoder`, `redeemer`).
    pub roles: Vec<String>,
}

/// A key-value fact (db version, operator settings) was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvSet {
    /// Key.
    pub key: String,
    /// Value bytes.
    pub value: Vec<u8>,
}
