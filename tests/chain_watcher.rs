//! The O's chain watcher against `livepeer devchain`, through the binary: a broadcaster funds a
//! deposit and a reserve on the real TicketBroker while the O runs on the chain; the O's log then
//! holds both as `SenderFundsChanged` (block, log index, amounts) and the last block it saw, and
//! `livepeer replay` of it agrees with its checkpoints.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{devchain, setup::devchain_rpc};
use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use ethers_signers::LocalWallet;
use livepeer::chain::{artifacts::Artifact, rpc::Rpc};
use orch_support::{free_port, tool, Node};
use std::{path::Path, str::FromStr, time::Duration};

/// The broadcaster's wallet, from its keystore.
fn broadcaster(j: &serde_json::Value) -> LocalWallet {
    let pass = std::fs::read_to_string(j["password"].as_str().unwrap()).unwrap();
    let file = j["accounts"]["broadcaster"]["keystore"].as_str().unwrap();
    LocalWallet::from_bytes(&eth_keystore::decrypt_key(file, pass).unwrap()).unwrap()
}

/// `fundDeposit()` with `wei` from `b`; the block it landed in.
async fn fund_deposit(rpc: &Rpc, j: &serde_json::Value, b: &LocalWallet, wei: U256) -> u64 {
    let arts =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/@livepeer/sdk/abis/contracts");
    let broker = Artifact::load(&arts, "pm/TicketBroker").unwrap();
    let at = Address::from_str(j["contracts"]["TicketBroker"].as_str().unwrap()).unwrap();
    let data = broker.call_data("fundDeposit", &[]).unwrap();
    let r = rpc.send(b, Some(at), data, wei).await.unwrap();
    r.block_number.unwrap().as_u64()
}

/// The highest block the O in `dir` recorded.
fn seen_block(dir: &Path) -> u64 {
    let (_, dump) = tool(dir, &["log", "dump", "-json"]);
    dump.lines()
        .filter(|l| l.contains("\"BlockObserved\""))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["event"]["BlockObserved"]["number"].as_u64())
        .max()
        .unwrap_or(0)
}

/// Every projection's `(name, digest)` that `livepeer replay` gives for the log in `dir`.
fn digests(dir: &Path) -> Vec<(String, String)> {
    let (code, out) = tool(dir, &["replay"]);
    assert_eq!(code, 0, "{out}");
    out.lines()
        .skip_while(|l| !l.starts_with("projection"))
        .skip(1)
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.to_string(), w.nth(1)?.to_string()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_reorg_the_o_equals_a_fresh_sync() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let rpc = Rpc::connect(j["ethUrl"].as_str().unwrap()).await.unwrap();
    let b = broadcaster(j);
    let eth = U256::exp10(18);
    let o1_args = chain_support::o_args(
        j,
        j["ethUrl"].as_str().unwrap(),
        &format!("127.0.0.1:{}", free_port()),
        "200ms",
    );
    let o1_dir = dir.path().join("o1");
    let a1: Vec<&str> = o1_args.iter().map(String::as_str).collect();
    let mut o1 = Node::start(&o1_dir, &a1);
    o1.line("serving");

    // A deposit the watcher sees, three blocks on; then the chain forgets it.
    let snapshot = rpc.snapshot().await.unwrap();
    fund_deposit(&rpc, j, &b, eth).await;
    rpc.mine(3).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(rpc.revert_to(snapshot).await.unwrap());
    rpc.mine(5).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // A fresh O joins on the new chain; the broadcaster funds again; both see it.
    let o2_args = chain_support::o_args(
        j,
        j["ethUrl"].as_str().unwrap(),
        &format!("127.0.0.1:{}", free_port()),
        "200ms",
    );
    let o2_dir = dir.path().join("o2");
    let a2: Vec<&str> = o2_args.iter().map(String::as_str).collect();
    let mut o2 = Node::start(&o2_dir, &a2);
    o2.line("serving");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let block = fund_deposit(&rpc, j, &b, eth / 2).await;
    // Both must have polled past that block (the logs can be read once they stop).
    for round in 0.. {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(o1.sigterm().0.success());
        assert!(o2.sigterm().0.success());
        if seen_block(&o1_dir) >= block && seen_block(&o2_dir) >= block {
            break;
        }
        assert!(round < 3, "the watchers did not reach block {block}");
        o1 = Node::start(&o1_dir, &a1);
        o1.line("serving");
        o2 = Node::start(&o2_dir, &a2);
        o2.line("serving");
    }

    let (_, dump) = tool(&o1_dir, &["log", "dump", "-json"]);
    assert!(dump.contains("BlockReverted"), "{dump}");
    // The fresh O read the round the chain is in at its first start, as the old one did.
    let (_, dump2) = tool(&o2_dir, &["log", "dump", "-json"]);
    assert!(dump2.contains("RoundInitialized"), "{dump2}");
    // Every projection equal, but `blocks`: which blocks each node polled (its reorg record)
    // differs by design; the head both saw is in `chain`.
    let chain_facts = |d: Vec<(String, String)>| -> Vec<(String, String)> {
        d.into_iter().filter(|(name, _)| name != "blocks").collect()
    };
    let (d1, d2) = (chain_facts(digests(&o1_dir)), chain_facts(digests(&o2_dir)));
    assert!(d1.len() >= 11, "{d1:?}");
    assert_eq!(
        d1, d2,
        "every projection of the O that lived through the reorg equals a fresh sync's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_o_records_every_senders_funds_from_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let (url, password) = (s(&j["ethUrl"]), s(&j["password"]));
    let service = format!("127.0.0.1:{}", free_port());
    let o_dir = dir.path().join("o");
    let o_args = chain_support::o_args(j, &url, &service, "200ms");
    let o_args: Vec<&str> = o_args.iter().map(String::as_str).collect();
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
    // Met for the first time, the sender was read whole as of the block before its logs.
    let observed = dump
        .lines()
        .find(|l| l.contains("SenderFundsObserved") && l.to_lowercase().contains(&sender))
        .unwrap();
    assert!(
        observed.contains(&format!("\"block\":{}", block - 1))
            && observed.contains("\"deposit\":\"0\""),
        "{observed}"
    );
    assert!(dump.contains("BlockObserved"), "{dump}");
    let (code, out) = tool(&o_dir, &["replay"]);
    assert_eq!(code, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_round_records_the_active_pool_and_the_nodes_own_unbonding() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let url = j["ethUrl"].as_str().unwrap().to_string();
    let service = format!("127.0.0.1:{}", free_port());
    let o_dir = dir.path().join("o");
    // The test sends from the orchestrator's account itself: the node must not (no reward).
    let mut args = chain_support::o_args(j, &url, &service, "200ms");
    args.push("-reward=false".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut o = Node::start(&o_dir, &args);
    o.line("serving");

    // The orchestrator account activates itself: bond 100 LPT, set its rates and service URI.
    let rpc = Rpc::connect(&url).await.unwrap();
    let pass = std::fs::read_to_string(j["password"].as_str().unwrap()).unwrap();
    let file = j["accounts"]["orchestrator"]["keystore"].as_str().unwrap();
    let me = LocalWallet::from_bytes(&eth_keystore::decrypt_key(file, pass).unwrap()).unwrap();
    let arts =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/@livepeer/sdk/abis/contracts");
    let at = |name: &str| Address::from_str(j["contracts"][name].as_str().unwrap()).unwrap();
    let send = |path: &'static str, to: Address, f: &'static str, args: Vec<Token>| {
        let (rpc, arts, me) = (&rpc, &arts, &me);
        async move {
            let art = Artifact::load(arts, path).unwrap();
            let data = art.call_data(f, &args).unwrap();
            rpc.send(me, Some(to), data, U256::zero()).await.unwrap();
        }
    };
    let stake = U256::from(100) * U256::exp10(18);
    let bm = at("BondingManager");
    let o_addr = ethers_signers::Signer::address(&me);
    send(
        "token/LivepeerToken",
        at("LivepeerToken"),
        "approve",
        vec![Token::Address(bm), Token::Uint(stake)],
    )
    .await;
    send(
        "bonding/BondingManager",
        bm,
        "bond",
        vec![Token::Uint(stake), Token::Address(o_addr)],
    )
    .await;
    send(
        "bonding/BondingManager",
        bm,
        "transcoder",
        vec![Token::Uint(100_000.into()), Token::Uint(500_000.into())],
    )
    .await;
    send(
        "ServiceRegistry",
        at("ServiceRegistry"),
        "setServiceURI",
        vec![Token::String(format!("https://{service}"))],
    )
    .await;

    // Round 2 starts (50-block rounds): anyone may initialise it.
    let head = rpc.block_number().await.unwrap();
    rpc.mine(100 - head).await.unwrap();
    send(
        "rounds/RoundsManager",
        at("RoundsManager"),
        "initializeRound",
        vec![],
    )
    .await;
    // Then it unbonds 10 LPT: an unbonding lock of its own.
    let part = U256::from(10) * U256::exp10(18);
    send(
        "bonding/BondingManager",
        bm,
        "unbond",
        vec![Token::Uint(part)],
    )
    .await;

    let mut dump = String::new();
    for round in 0.. {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(o.sigterm().0.success());
        dump = tool(&o_dir, &["log", "dump", "-json"]).1;
        if dump.contains("UnbondingLockChanged") || round == 3 {
            break;
        }
        o = Node::start(&o_dir, &args);
        o.line("serving");
    }
    // The last of each kind: the first start recorded round 1 and its empty pool.
    let first = dump
        .lines()
        .find(|l| l.contains("\"RoundInitialized\""))
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(first["event"]["RoundInitialized"]["round"], 1, "{first}");
    let line = |kind: &str| -> serde_json::Value {
        let l = dump
            .lines()
            .rev()
            .find(|l| l.contains(&format!("\"{kind}\"")))
            .unwrap_or_else(|| panic!("no {kind} in {dump}"));
        serde_json::from_str::<serde_json::Value>(l).unwrap()["event"][kind].clone()
    };
    assert_eq!(line("RoundInitialized")["round"], 2);
    assert_eq!(line("PoolSizeChanged")["size"], 1);
    let observed = line("OrchestratorObserved");
    assert_eq!(
        observed["address"].as_str().unwrap().to_lowercase(),
        format!("{o_addr:?}").to_lowercase()
    );
    assert_eq!(observed["service_uri"], format!("https://{service}"));
    assert_eq!(
        observed["activation_round"], 2,
        "active from the round after its bond"
    );
    assert_eq!(observed["total_stake"], stake.to_string());
    let lock = line("UnbondingLockChanged");
    assert_eq!(lock["lock_id"], 0);
    let created = &lock["change"]["Created"];
    assert_eq!(created["amount"], part.to_string());
    assert_eq!(
        created["withdraw_round"],
        2 + 7,
        "the unbonding period is 7 rounds"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcaster_on_the_chain_records_its_own_deposit() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let (http, rtmp) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let b_args = [
        "-broadcaster".to_string(),
        "-orchAddr".into(),
        format!("127.0.0.1:{}", free_port()),
        "-httpAddr".into(),
        http,
        "-rtmpAddr".into(),
        rtmp,
        "-network".into(),
        "devchain".into(),
        "-ethUrl".into(),
        s(&j["ethUrl"]),
        "-ethController".into(),
        s(&j["controller"]),
        "-ethKeystorePath".into(),
        s(&j["keystoreDir"]),
        "-ethAcctAddr".into(),
        s(&j["accounts"]["broadcaster"]["address"]),
        "-ethPassword".into(),
        s(&j["password"]),
        "-blockPollingInterval".into(),
        "200ms".into(),
    ];
    let b_args: Vec<&str> = b_args.iter().map(String::as_str).collect();
    let b_dir = dir.path().join("b");
    let mut b = Node::start(&b_dir, &b_args);
    assert!(b
        .line("On chain id 1337")
        .to_lowercase()
        .contains(&s(&j["accounts"]["broadcaster"]["address"]).to_lowercase()));
    b.line("Broadcaster");
    let rpc = Rpc::connect(j["ethUrl"].as_str().unwrap()).await.unwrap();
    let block = fund_deposit(&rpc, j, &broadcaster(j), U256::exp10(18)).await;
    for round in 0.. {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(b.sigterm().0.success());
        if seen_block(&b_dir) >= block {
            break;
        }
        assert!(round < 3, "the B's watcher did not reach block {block}");
        b = Node::start(&b_dir, &b_args);
        b.line("Broadcaster");
    }
    let me = s(&j["accounts"]["broadcaster"]["address"]).to_lowercase();
    let (_, dump) = tool(&b_dir, &["log", "dump", "-json"]);
    assert!(
        dump.lines()
            .any(|l| l.contains("DepositFunded") && l.to_lowercase().contains(&me)),
        "{dump}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_reads_the_round_the_chain_is_in_from_its_log_or_by_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &chain.json;
    let round_of = |d: &Path| -> serde_json::Value {
        let (_, dump) = tool(d, &["log", "dump", "-json"]);
        let l = dump
            .lines()
            .find(|l| l.contains("\"RoundInitialized\""))
            .unwrap_or_else(|| panic!("no RoundInitialized in {dump}"));
        serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["RoundInitialized"].clone()
    };
    let start = |name: &str| {
        let args = chain_support::o_args(j, &url, &format!("127.0.0.1:{}", free_port()), "200ms");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let d = dir.path().join(name);
        let mut o = Node::start(&d, &args);
        o.line("serving");
        std::thread::sleep(Duration::from_millis(600));
        assert!(o.sigterm().0.success());
        d
    };
    // Round 1's NewRound log is near the head: read from it.
    let near = round_of(&start("near"));
    assert_eq!(near["round"], 1);
    assert_ne!(near["pos"]["log_index"], u32::MAX);
    // 2,100 blocks later it is past the lookback: read by calls, to the same values.
    rpc.mine(2_100).await.unwrap();
    let far = round_of(&start("far"));
    assert_eq!(far["round"], 1, "round 1 is still the last initialised");
    assert_eq!(far["block_hash"], near["block_hash"]);
    assert_eq!(far["l1_block"], near["l1_block"]);
    assert_eq!(far["pos"]["log_index"], u32::MAX, "{far}");
}

/// A node's first start in the block whose `NewRound` log began the round: the round read at
/// start and the head block's logs are the same facts, recorded once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_in_the_block_that_began_the_round_records_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &chain.json;
    // Round 2 starts (50-block rounds) and the broadcaster's account initialises it.
    let head = rpc.block_number().await.unwrap();
    rpc.mine(100 - head).await.unwrap();
    let arts =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/@livepeer/sdk/abis/contracts");
    let rm = Artifact::load(&arts, "rounds/RoundsManager").unwrap();
    let at = Address::from_str(j["contracts"]["RoundsManager"].as_str().unwrap()).unwrap();
    let data = rm.call_data("initializeRound", &[]).unwrap();
    let b = broadcaster(j);
    let began = rpc.send(&b, Some(at), data, U256::zero()).await.unwrap();
    let began = began.block_number.unwrap().as_u64();
    assert_eq!(
        rpc.block_number().await.unwrap(),
        began,
        "the head began round 2"
    );

    let mut args = chain_support::o_args(j, &url, &format!("127.0.0.1:{}", free_port()), "200ms");
    args.push("-reward=false".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &args);
    o.line("serving");
    std::thread::sleep(Duration::from_millis(600));
    assert!(o.sigterm().0.success());
    let (_, dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let records: Vec<serde_json::Value> = dump
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let first_block = records
        .iter()
        .find_map(|v| v["event"]["BlockObserved"]["number"].as_u64())
        .unwrap();
    assert_eq!(first_block, began, "the first start's head: {dump}");
    let count = |kind: &str| {
        records
            .iter()
            .filter(|v| v["event"][kind]["round"] == 2)
            .count()
    };
    assert_eq!(count("RoundInitialized"), 1, "{dump}");
    assert_eq!(count("PoolSizeChanged"), 1, "{dump}");
}
