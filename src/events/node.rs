//! Node-level facts: the process started, a key-value fact was set, a runtime setting changed.

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

/// Who changed a runtime setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigSource {
    /// The CLI HTTP API (`/setMaxSessions`, `/setBroadcastConfig`, …).
    Api,
    /// A flag given on the command line at start, whose value differed from the one in effect.
    Flag,
}

/// A setting that can change while the node runs was set (`config` projection). The value is
/// text in the setting's own form (`maxSessions` `5`, `maxPrice` `1000/3`, …; the projection
/// names them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigChanged {
    /// The setting's name.
    pub setting: String,
    /// Its new value, as text.
    pub value: String,
    /// Who set it.
    pub source: ConfigSource,
}
