//! Shared helpers of the tests on a devchain: `livepeer devchain -detach` started for a test and
//! its anvil killed when the test ends, however it ends.
#![allow(dead_code, clippy::unwrap_used)]

use std::{path::Path, process::Command};

/// A detached devchain and the JSON line it printed.
pub struct Devchain {
    pid: String,
    /// `ethUrl`, `controller`, `contracts`, `accounts`, `keystoreDir`, `password`, …
    pub json: serde_json::Value,
}

impl Drop for Devchain {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.trim()).status();
    }
}

/// `livepeer devchain -detach -rpcPort 0 -chainId <chain_id> -datadir <dir>`.
pub fn devchain(dir: &Path, chain_id: u64) -> Devchain {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(["devchain", "-detach", "-rpcPort", "0"])
        .args(["-chainId", &chain_id.to_string(), "-datadir"])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let pid = std::fs::read_to_string(dir.join("anvil.pid")).unwrap();
    assert_eq!(json["anvilPid"].as_u64(), pid.trim().parse().ok());
    Devchain { pid, json }
}

/// The flags of an O on `chain` (its orchestrator account) reaching it at `eth_url`, serving on
/// `service`, polling every `polling`.
pub fn o_args(
    chain: &serde_json::Value,
    eth_url: &str,
    service: &str,
    polling: &str,
) -> Vec<String> {
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    [
        "-orchestrator",
        "-transcoder",
        "-network",
        "devchain",
        "-serviceAddr",
        service,
        "-ethUrl",
        eth_url,
        "-ethController",
        &s(&chain["controller"]),
        "-ethKeystorePath",
        &s(&chain["keystoreDir"]),
        "-ethAcctAddr",
        &s(&chain["accounts"]["orchestrator"]["address"]),
        "-ethPassword",
        &s(&chain["password"]),
        "-blockPollingInterval",
        polling,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect()
}
