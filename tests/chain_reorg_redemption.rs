//! A confirmed redemption undone by a reorg, through the binary on the real contracts: the
//! redeemer redeems a ticket, then the chain forgets the block it was mined in (`evm_revert`)
//! and moves on. The watcher reverts that block (the node had never polled it), the ticket is in
//! flight again, the very same signed bytes are sent anew and mined, and the ticket ends
//! confirmed in the new block — paid once, never signed twice; `livepeer replay` agrees.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{contract, ours, setup::devchain_rpc, ticket, used, wait_used, wallet};
use ethers_core::types::{Address as EthAddress, U256};
use ethers_signers::Signer;
use livepeer::api::redeemer::queue_ticket_request;
use orch_support::tool;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redemption_reverted_by_a_reorg_is_sent_again_and_confirmed_once_more() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &chain.json;
    let b = wallet(j, "broadcaster");
    let o = ours(wallet(j, "orchestrator").address());
    let broker = contract(j, "TicketBroker");
    let eth = U256::exp10(18);
    chain_support::fund_and_activate(&rpc, j, eth, eth, "https://127.0.0.1:8935").await;

    let (node, r_dir, mut client) = chain_support::setup::redeemer(dir.path(), j, &url).await;

    // A 0.1 ETH ticket, queued; the chain is snapshotted before it is redeemed.
    let creation = chain_support::creation_round(&rpc, j).await;
    let exp = rpc.block_number().await.unwrap() + 2;
    let rand = U256::from(4242);
    let t = ticket(&b, o, 1, eth / 10, creation, exp, rand);
    client
        .queue_ticket(queue_ticket_request(&t, rand))
        .await
        .unwrap();
    let snapshot = rpc.snapshot().await.unwrap();
    wait_used(&rpc, broker, std::slice::from_ref(&t)).await;
    // Let the node record the receipt and poll past the block.
    rpc.mine(2).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The chain forgets the redemption and moves on past where it was.
    assert!(rpc.revert_to(snapshot).await.unwrap());
    assert!(
        !used(&rpc, broker, &t).await,
        "the revert undid the redemption"
    );
    rpc.mine(8).await.unwrap();
    wait_used(&rpc, broker, std::slice::from_ref(&t)).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let o_addr = EthAddress::from(o.0);
    assert_eq!(
        chain_support::transfers_to(&rpc, broker, o_addr).await.1,
        eth / 10,
        "paid once, on the new chain"
    );

    assert!(node.sigterm().0.success());
    let (_, dump) = tool(&r_dir, &["log", "dump", "-json"]);
    let of = |kind: &str| -> Vec<serde_json::Value> {
        dump.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["kind"] == kind)
            .collect()
    };
    let confirmed = of("RedemptionConfirmed");
    assert_eq!(
        confirmed.len(),
        2,
        "confirmed, reverted, confirmed again: {dump}"
    );
    let first_block = &confirmed[0]["event"]["RedemptionConfirmed"]["block"];
    assert!(
        of("BlockReverted")
            .iter()
            .any(|v| &v["event"]["BlockReverted"]["number"] == first_block),
        "the block of the first confirmation was reverted: {dump}"
    );
    let tx = |v: &serde_json::Value| v["event"]["RedemptionConfirmed"]["tx_hash"].clone();
    assert_eq!(
        tx(&confirmed[0]),
        tx(&confirmed[1]),
        "the same transaction, sent anew"
    );
    assert_eq!(of("TxSigned").len(), 1, "never signed twice");
    let (code, out) = tool(&r_dir, &["replay"]);
    assert_eq!(code, 0, "{out}");
}
