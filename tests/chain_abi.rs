//! Our view of the Livepeer contracts checked against the real ones: the compiled artifacts of
//! livepeer/protocol shipped in `@livepeer/sdk@1.0.1-alpha.10` (locked in package-lock.json and
//! installed by `./dev`). For every contract event the node maps, the canonical signature built
//! from the artifact's ABI, its topic0, which parameters are indexed (so: how many topics a log
//! has) and the data length of the rest must be ours.
#![allow(clippy::unwrap_used)]

use ethers_core::utils::keccak256;
use livepeer::chain::topics::{Kind, ALL};
use serde_json::Value;
use std::path::PathBuf;

/// The artifact of `contract` (`pm/TicketBroker`, `rounds/RoundsManager`).
fn artifact(contract: &str) -> Value {
    let name = contract.rsplit('/').next().unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("node_modules/@livepeer/sdk/abis/contracts")
        .join(format!("{contract}.sol/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run ./dev test, whose npm ci installs @livepeer/sdk)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

/// The contract whose logs carry `kind`.
fn contract_of(kind: Kind) -> &'static str {
    match kind {
        Kind::NewRound => "rounds/RoundsManager",
        Kind::Unbond | Kind::Rebond | Kind::WithdrawStake => "bonding/BondingManager",
        _ => "pm/TicketBroker",
    }
}

/// A static ABI type's size in a log's data (every type these events use is one word).
fn word_type(t: &str) -> bool {
    t == "address" || t == "bool" || t.starts_with("uint") || t.starts_with("bytes") && t != "bytes"
}

#[test]
fn mapped_events_match_the_real_contracts_abis() {
    for kind in ALL {
        let abi = artifact(contract_of(kind));
        let events: Vec<&Value> = abi["abi"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "event" && e["name"] == kind.name())
            .collect();
        assert_eq!(events.len(), 1, "{} in {}", kind.name(), contract_of(kind));
        let inputs = events[0]["inputs"].as_array().unwrap();
        let types: Vec<&str> = inputs.iter().map(|i| i["type"].as_str().unwrap()).collect();
        let signature = format!("{}({})", kind.name(), types.join(","));
        assert_eq!(signature, kind.signature(), "canonical signature");
        assert_eq!(
            kind.topic0().0,
            keccak256(signature.as_bytes()),
            "{signature}: topic0"
        );
        let indexed = inputs.iter().filter(|i| i["indexed"] == true).count();
        assert_eq!(indexed + 1, kind.topic_count(), "{signature}: topics");
        let data: Vec<&str> = inputs
            .iter()
            .filter(|i| i["indexed"] == false)
            .map(|i| i["type"].as_str().unwrap())
            .collect();
        assert!(data.iter().all(|t| word_type(t)), "{signature}: {data:?}");
        assert_eq!(32 * data.len(), kind.data_len(), "{signature}: data length");
    }
}

/// A parameter's canonical type (tuples spelled out from their components).
fn canonical_type(input: &Value) -> String {
    let t = input["type"].as_str().unwrap();
    match t.strip_prefix("tuple") {
        Some(suffix) => {
            let parts: Vec<String> = input["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(canonical_type)
                .collect();
            format!("({}){suffix}", parts.join(","))
        }
        None => t.to_string(),
    }
}

#[test]
fn every_function_the_node_calls_exists_in_the_real_contracts() {
    use livepeer::chain::calls::{selector, FUNCTIONS};
    for (contract, signature) in FUNCTIONS {
        let abi = artifact(contract);
        let name = signature.split('(').next().unwrap();
        let found: Vec<String> = abi["abi"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["type"] == "function" && f["name"] == name)
            .map(|f| {
                let types: Vec<String> = f["inputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(canonical_type)
                    .collect();
                format!("{name}({})", types.join(","))
            })
            .collect();
        assert!(
            found.iter().any(|s| s == signature),
            "{signature} not in {contract}: it has {found:?}"
        );
        assert_eq!(selector(signature), keccak256(signature.as_bytes())[..4]);
    }
}
