//! The transaction owner across crashes, through the binary on the real contracts with anvil's
//! automine off: a redeemer killed with SIGKILL once its redemption sits in `txpool_content`
//! finds it after the restart (still one transaction at that nonce), replaces it at a higher gas
//! price after `-transactionTimeout` (both hashes in its log), and the ticket ends confirmed
//! once mining resumes; a transaction recorded but never broadcast (the crash came between
//! the two) is broadcast again byte for byte by the restart.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{contract, ours, setup::devchain_rpc, ticket, wait_used, wallet};
use ethers_core::types::{Bytes, H256, U256};
use ethers_signers::Signer;
use livepeer::api::{client::tls_channel, proto::net, redeemer::queue_ticket_request};
use livepeer::chain::{rpc::Rpc, tx};
use livepeer::events::{Event, Hash32, TxPurpose, TxSigned, Wei};
use livepeer::log::{Expect, FjallLog};
use orch_support::{free_port, tool, Node};
use std::time::Duration;

/// The O account's transactions in the pool: `(nonce, hash)` of each.
async fn pooled(rpc: &Rpc, from: ethers_core::types::Address) -> Vec<(u64, String)> {
    let pool = rpc.txpool_content().await.unwrap();
    let mine = pool["pending"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(a, _)| a.parse::<ethers_core::types::Address>().ok() == Some(from))
        .map(|(_, txs)| txs.clone());
    let Some(txs) = mine else { return Vec::new() };
    txs.as_object()
        .unwrap()
        .iter()
        .map(|(n, t)| (n.parse().unwrap(), t["hash"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redemption_in_the_pool_survives_sigkill_and_is_replaced_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &chain.json;
    let b = wallet(j, "broadcaster");
    let o_addr = wallet(j, "orchestrator").address();
    let broker = contract(j, "TicketBroker");
    let eth = U256::exp10(18);
    chain_support::fund_and_activate(&rpc, j, eth, eth, "https://127.0.0.1:8935").await;

    let http = format!("127.0.0.1:{}", free_port());
    let args = chain_support::redeemer_args(j, &url, &http, &["-transactionTimeout", "4s"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r_dir = dir.path().join("redeemer");
    let mut node = Node::start(&r_dir, &args);
    node.line("serving net.TicketRedeemer");
    let mut client = net::ticket_redeemer_client::TicketRedeemerClient::new(
        tls_channel(&format!("https://{http}")).await.unwrap(),
    );
    let creation = chain_support::creation_round(&rpc, j).await;
    let head = rpc.block_number().await.unwrap();
    let rand = U256::from(77);
    let t = ticket(&b, ours(o_addr), 1, eth / 10, creation, head, rand);
    client
        .queue_ticket(queue_ticket_request(&t, rand))
        .await
        .unwrap();

    // Mining stops; one block more lets the redeemer send, and its transaction waits in the pool.
    rpc.set_automine(false).await.unwrap();
    rpc.mine(1).await.unwrap();
    let mut first = Vec::new();
    for _ in 0..50 {
        first = pooled(&rpc, o_addr).await;
        if !first.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(first.len(), 1, "the redemption waits in the pool");
    node.sigkill();

    let mut node = Node::start(&r_dir, &args);
    node.line("serving net.TicketRedeemer");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        pooled(&rpc, o_addr).await,
        first,
        "after the restart: the same single transaction at that nonce"
    );
    // Past -transactionTimeout it is replaced at a higher gas price.
    let mut replaced = first.clone();
    for _ in 0..100 {
        replaced = pooled(&rpc, o_addr).await;
        if replaced != first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(replaced.len(), 1, "a replacement takes the same nonce");
    assert_eq!(replaced[0].0, first[0].0);
    assert_ne!(replaced[0].1, first[0].1, "replaced within 10 s");

    // Mining resumes: the replacement is mined and the ticket confirmed.
    rpc.set_automine(true).await.unwrap();
    wait_used(&rpc, broker, std::slice::from_ref(&t)).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(node.sigterm().0.success());
    let (_, dump) = tool(&r_dir, &["log", "dump", "-json"]);
    let signed: Vec<serde_json::Value> = dump
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "TxSigned")
        .collect();
    assert_eq!(signed.len(), 2, "the first transaction and its replacement");
    let hash = |v: &serde_json::Value| v["event"]["TxSigned"]["hash"].as_str().unwrap().to_string();
    assert_eq!(hash(&signed[0]), first[0].1);
    assert_eq!(hash(&signed[1]), replaced[0].1);
    assert_eq!(
        signed[1]["event"]["TxSigned"]["replaces"].as_str().unwrap(),
        first[0].1
    );
    let confirmed = dump
        .lines()
        .find(|l| l.contains("\"RedemptionConfirmed\""))
        .unwrap();
    assert!(confirmed.contains(&replaced[0].1), "{confirmed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_recorded_but_never_broadcast_is_sent_identically_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &chain.json;
    let o = wallet(j, "orchestrator");
    let b_addr = wallet(j, "broadcaster").address();

    // What a node that crashed between recording and broadcasting leaves in its log.
    let nonce = rpc.pending_nonce(o.address()).await.unwrap();
    let call = tx::Call::new(b_addr, Bytes::new(), U256::from(12_345));
    let gas_price = rpc.gas_price().await.unwrap();
    let signed = tx::sign(&o, rpc.chain_id(), nonce, &call, 21_000, gas_price).unwrap();
    let r_dir = dir.path().join("redeemer");
    std::fs::create_dir_all(&r_dir).unwrap();
    {
        let log = FjallLog::open_dir(&r_dir).unwrap();
        let event = Event::TxSigned(TxSigned {
            nonce,
            hash: Hash32(signed.hash.0),
            to: livepeer::events::Address(b_addr.0),
            gas_price: Wei(livepeer::pm::num::be32(gas_price)),
            gas_limit: 21_000,
            raw: signed.raw.to_vec(),
            purpose: TxPurpose::Action {
                name: "transferEth".into(),
            },
            replaces: None,
        });
        log.append(vec![(1, event)], Expect::Any).await.unwrap();
    }
    assert!(!rpc.knows(signed.hash).await.unwrap(), "never broadcast");

    let http = format!("127.0.0.1:{}", free_port());
    let args = chain_support::redeemer_args(j, &url, &http, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut node = Node::start(&r_dir, &args);
    node.line("serving net.TicketRedeemer");
    let mut receipt = None;
    for _ in 0..50 {
        receipt = rpc.receipt(signed.hash).await.unwrap();
        if receipt.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let receipt = receipt.expect("the recorded bytes were broadcast: their hash is mined");
    assert_eq!(receipt.status, Some(1.into()));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(node.sigterm().0.success());
    let (_, dump) = tool(&r_dir, &["log", "dump", "-json"]);
    let mined = dump.lines().find(|l| l.contains("\"TxMined\"")).unwrap();
    assert!(
        mined.contains(&format!("{:?}", H256(signed.hash.0))),
        "{mined}"
    );
    let signed = dump
        .lines()
        .filter(|l| l.contains("\"kind\":\"TxSigned\""))
        .count();
    assert_eq!(signed, 1, "nothing signed anew");
}
