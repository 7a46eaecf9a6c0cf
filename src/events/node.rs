//! Node-level facts: the process started, a key-value fact was set, a runtime setting changed,
//! a go-livepeer database was imported.

use super::types::Hash32;
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

/// A go-livepeer database was imported (`livepeer import-lpdb`): the records that follow in the
/// same append are its rows as this node's events, and this one says where they came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LpdbImported {
    /// The database file's name as given.
    pub file: String,
    /// blake3 of the file's bytes.
    pub file_hash: Hash32,
    /// Its `kv.chainID`.
    pub chain_id: u64,
    /// Its `kv.dbVersion`.
    pub db_version: u32,
    /// How many records follow from it.
    pub events: u32,
    /// Each table's rows read, and what became of them, for the operator.
    pub summary: String,
}
