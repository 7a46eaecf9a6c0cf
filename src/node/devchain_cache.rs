//! A devchain's deployment kept on disk (`livepeer devchain -stateCache FILE`): the first run
//! deploys the protocol and funds its two accounts as usual, then saves anvil's whole state
//! (`anvil_dumpState`: accounts, storage, blocks), the contract addresses and the two keystores;
//! later runs with the same inputs load that state into a fresh anvil (`anvil_loadState`) and
//! copy the keystores instead of sending the ~45 transactions again — the same chain, block
//! numbers and rounds included, in a fraction of the time. The cache is keyed by what the
//! deployment depends on (the protocol package, the anvil binary, the chain id, the password);
//! a cache that does not match, or cannot be read, is ignored and rewritten.

use ethers_core::types::Address;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Bumped when the cache's shape or the deployment recipe changes (2: the `PollCreator`).
const FORMAT: u32 = 2;

/// One funded account of the devchain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CachedAccount {
    /// Its address.
    pub address: Address,
    /// The keystore file's name (geth's `UTC--…--address`).
    pub file_name: String,
    /// The keystore file's JSON (encrypted with the devchain's password).
    pub keystore: String,
}

/// A saved deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cached {
    /// What it was made from ([`key`]).
    pub key: String,
    /// anvil's state, as `anvil_dumpState` gave it.
    pub state: String,
    /// The Controller.
    pub controller: Address,
    /// Registered contracts by name.
    pub contracts: BTreeMap<String, Address>,
    /// The funded accounts by role.
    pub accounts: BTreeMap<String, CachedAccount>,
}

/// The cache key of a deployment of the package at `sdk_package_json` on `anvil` with
/// `chain_id`, keystores under `password`.
pub fn key(sdk_package_json: &Path, anvil: &Path, chain_id: u64, password: &str) -> String {
    let sdk = std::fs::read(sdk_package_json).unwrap_or_default();
    let anvil_len = std::fs::metadata(anvil).map(|m| m.len()).unwrap_or(0);
    format!(
        "format {FORMAT} sdk {} anvil {anvil_len} chain {chain_id} password {}",
        blake3::hash(&sdk).to_hex(),
        blake3::hash(password.as_bytes()).to_hex()
    )
}

/// The cache at `path` when it matches `key`.
pub fn load(path: &Path, key: &str) -> Option<Cached> {
    let text = std::fs::read_to_string(path).ok()?;
    let c: Cached = serde_json::from_str(&text).ok()?;
    (c.key == key).then_some(c)
}

/// Saves `c` at `path` atomically (a temporary file renamed over it), so concurrent runs never
/// read half a cache.
pub fn save(path: &Path, c: &Cached) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(c).map_err(std::io::Error::other)?)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_is_used_only_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let c = Cached {
            key: "k1".into(),
            state: "0x00".into(),
            controller: Address::repeat_byte(1),
            contracts: BTreeMap::from([("TicketBroker".into(), Address::repeat_byte(2))]),
            accounts: BTreeMap::new(),
        };
        save(&path, &c).unwrap();
        assert_eq!(load(&path, "k1").unwrap().contracts, c.contracts);
        assert!(load(&path, "k2").is_none(), "another key: not used");
        std::fs::write(&path, "{half").unwrap();
        assert!(load(&path, "k1").is_none(), "unreadable: ignored");
    }
}
