//! The O's chain watcher against `livepeer devchain`, through the binary: a broadcaster funds a
//! deposit and a reserve on the real TicketBroker while the O runs on the chain; the O's log then
//! holds both as `SenderFundsChanged` (block, log index, amounts) and the last block it saw, and
//! `livepeer replay` of it agrees with its checkpoints.
#![allow(clippy::unwrap_used)]

mod orch_support;

use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use ethers_signers::LocalWallet;
use livepeer::chain::{artifacts::Artifact, rpc::Rpc};
use orch_support::{free_port, tool, Node};
use std::{path::Path, process::Command, str::FromStr, time::Duration};

struct Devchain {
    pid: String,
    json: serde_json::Value,
}

impl Drop for Devchain {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.pid).status();
    }
}

fn devchain(dir: &Path) -> Devchain {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(["devchain", "-detach", "-rpcPort", "0", "-datadir"])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    Devchain {
        pid: std::fs::read_to_string(dir.join("anvil.pid")).unwrap(),
        json,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_o_records_every_senders_funds_from_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"));
    let j = &chain.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let (url, controller, keystore, password) = (
        s(&j["ethUrl"]),
        s(&j["controller"]),
        s(&j["keystoreDir"]),
        s(&j["password"]),
    );
    let o_addr = s(&j["accounts"]["orchestrator"]["address"]);
    let service = format!("127.0.0.1:{}", free_port());
    let o_dir = dir.path().join("o");
    let o_args = [
        "-orchestrator",
        "-transcoder",
        "-network",
        "devchain",
        "-serviceAddr",
        &service,
        "-ethUrl",
        &url,
        "-ethController",
        &controller,
        "-ethKeystorePath",
        &keystore,
        "-ethAcctAddr",
        &o_addr,
        "-ethPassword",
        &password,
        "-blockPollingInterval",
        "200ms",
    ];
    let mut o = Node::start(&o_dir, &o_args);
    o.line("serving");

    // The broadcaster, from its keystore, funds 1 ETH of deposit and 2 ETH of reserve.
    let b_file = s(&j["accounts"]["broadcaster"]["keystore"]);
    let b_pass = std::fs::read_to_string(&password).unwrap();
    let b = LocalWallet::from_bytes(&eth_keystore::decrypt_key(&b_file, b_pass).unwrap()).unwrap();
    let b_addr = Address::from_str(&s(&j["accounts"]["broadcaster"]["address"])).unwrap();
    let rpc = Rpc::connect(&url).await.unwrap();
    let arts =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/@livepeer/sdk/abis/contracts");
    let broker = Artifact::load(&arts, "pm/TicketBroker").unwrap();
    let eth = U256::exp10(18);
    let data = broker
        .call_data(
            "fundDepositAndReserve",
            &[Token::Uint(eth), Token::Uint(eth * 2)],
        )
        .unwrap();
    let broker_at = Address::from_str(&s(&j["contracts"]["TicketBroker"])).unwrap();
    let receipt = rpc.send(&b, Some(broker_at), data, eth * 3).await.unwrap();
    let block = receipt.block_number.unwrap().as_u64();

    // Give the watcher a few polls, then read the O's log (it holds the log while it runs).
    let sender = format!("{b_addr:?}").to_lowercase();
    let mut dump = String::new();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (status, _) = o.sigterm();
        assert!(status.success());
        dump = tool(&o_dir, &["log", "dump", "-json"]).1;
        let funds = dump
            .lines()
            .filter(|l| l.contains("SenderFundsChanged") && l.to_lowercase().contains(&sender))
            .count();
        if funds == 2 {
            break;
        }
        o = Node::start(&o_dir, &o_args);
        o.line("serving");
    }
    let funds: Vec<&str> = dump
        .lines()
        .filter(|l| l.contains("SenderFundsChanged") && l.to_lowercase().contains(&sender))
        .collect();
    assert_eq!(funds.len(), 2, "{dump}");
    // The contract emits the reserve's log first: each is found by its kind, in that block.
    let at_block = format!("\"block\":{block}");
    let deposit = funds.iter().find(|l| l.contains("DepositFunded")).unwrap();
    assert!(
        deposit.contains("\"amount\":\"1000000000000000000\"") && deposit.contains(&at_block),
        "{deposit}"
    );
    let reserve = funds.iter().find(|l| l.contains("ReserveFunded")).unwrap();
    assert!(
        reserve.contains("\"amount\":\"2000000000000000000\"") && reserve.contains(&at_block),
        "{reserve}"
    );
    assert!(dump.contains("BlockObserved"), "{dump}");
    let (code, out) = tool(&o_dir, &["replay"]);
    assert_eq!(code, 0, "{out}");
}
