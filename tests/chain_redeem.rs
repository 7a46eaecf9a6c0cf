//! Winning tickets redeemed on the real TicketBroker, through the binary: a broadcaster funds a
//! deposit and a reserve, the orchestrator account activates itself, and `livepeer -redeemer`
//! (holding the orchestrator's keystore) is handed tickets the broadcaster's keystore signed with
//! our pm code over `QueueTicket`. Our ticket hash is the contract's `getTicketHash` for a few
//! hundred random tickets; the queued tickets are redeemed once their params expire, the
//! transfers sum to their face values exactly, the O's fees to within a wei a ticket, and the
//! deposit falls by the same; a ticket the sender cannot cover is held (an event, nothing sent)
//! and redeemed in full once it refunds; a ticket for another recipient is refused; `livepeer
//! replay` of the redeemer's log agrees with its checkpoints.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::{
    call, contract, ours, send, setup::devchain_rpc, ticket, used, wait_used, wallet,
};
use ethers_core::abi::Token;
use ethers_core::types::{Address as EthAddress, U256};
use ethers_signers::Signer;
use livepeer::api::redeemer::queue_ticket_request;
use livepeer::chain::calls;
use livepeer::events::{Address, CreationRound, Hash32};
use orch_support::tool;
use rand::{Rng, SeedableRng};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redeemer_redeems_queued_tickets_on_the_real_ticket_broker() {
    let dir = tempfile::tempdir().unwrap();
    let (chain, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &chain.json;
    let b = wallet(j, "broadcaster");
    let o = ours(wallet(j, "orchestrator").address());
    let broker = contract(j, "TicketBroker");
    let eth = U256::exp10(18);

    // The broadcaster funds 1 ETH of deposit and 1 ETH of reserve; the O activates itself.
    chain_support::fund_and_activate(&rpc, j, eth, eth, "https://127.0.0.1:8935").await;

    // Our ticket hash is the contract's for random tickets.
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for i in 0..300u32 {
        let creation = CreationRound {
            round: rng.gen::<u32>().into(),
            block_hash: Hash32(rng.gen()),
        };
        let t = ticket(
            &b,
            Address(rng.gen()),
            rng.gen(),
            U256::from(rng.gen::<u128>()) * rng.gen::<u64>(),
            creation,
            rng.gen::<u32>().into(),
            U256::from(rng.gen::<u128>()),
        );
        let got = call(
            &rpc,
            broker,
            "getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))",
            &[calls::ticket_tuple(&t)],
        )
        .await;
        let mut want = [0u8; 32];
        got[0].to_big_endian(&mut want);
        assert_eq!(Hash32(want), t.ticket_hash, "ticket {i}");
    }

    // The redeemer runs with the orchestrator's keystore.
    let (node, r_dir, mut client) = chain_support::setup::redeemer(dir.path(), j, &url).await;

    let creation = chain_support::creation_round(&rpc, j).await;
    let exp = rpc.block_number().await.unwrap() + 2;
    let tenth = eth / 10;

    // A ticket for another recipient is refused.
    let rand = U256::from(99);
    let foreign = ticket(&b, Address([9; 20]), 99, tenth, creation, exp, rand);
    let err = client
        .queue_ticket(queue_ticket_request(&foreign, rand))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied, "{err:?}");

    // Five 0.1 ETH tickets are queued and redeemed after their params expire.
    let mut tickets = Vec::new();
    for n in 1..=5u32 {
        let rand = U256::from(1000 + n);
        let t = ticket(&b, o, n, tenth, creation, exp, rand);
        client
            .queue_ticket(queue_ticket_request(&t, rand))
            .await
            .unwrap();
        tickets.push(t);
    }
    let started = std::time::Instant::now();
    wait_used(&rpc, broker, &tickets).await;
    println!("5 tickets redeemed in {:?}", started.elapsed());
    let b_addr = b.address();
    let o_addr = EthAddress::from(o.0);
    assert_eq!(
        chain_support::transfers_to(&rpc, broker, o_addr).await.1,
        tenth * 5,
        "Σ transfers = Σ face values"
    );
    let bm = contract(j, "BondingManager");
    let fees = call(
        &rpc,
        bm,
        "pendingFees(address,uint256)",
        &[Token::Address(o_addr), Token::Uint(0.into())],
    )
    .await[0];
    assert!(
        fees <= tenth * 5 && tenth * 5 - fees <= U256::from(5),
        "pending fees {fees}"
    );
    let info = call(
        &rpc,
        broker,
        "getSenderInfo(address)",
        &[Token::Address(b_addr)],
    )
    .await;
    assert_eq!(
        info[0],
        eth - tenth * 5,
        "the deposit fell by the face values"
    );

    // 2 ETH is more than the deposit (0.5) and this O's reserve share (1): held, not sent.
    let rand = U256::from(2000);
    let big = ticket(&b, o, 6, eth * 2, creation, exp, rand);
    client
        .queue_ticket(queue_ticket_request(&big, rand))
        .await
        .unwrap();
    for _ in 0..6 {
        rpc.mine(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        !used(&rpc, broker, &big).await,
        "a ticket the sender cannot cover is not sent"
    );
    // The sender refunds its deposit: the ticket is redeemed in full.
    send(&rpc, &b, broker, "fundDeposit()", &[], eth).await;
    wait_used(&rpc, broker, std::slice::from_ref(&big)).await;
    assert_eq!(
        chain_support::transfers_to(&rpc, broker, o_addr).await.1,
        tenth * 5 + eth * 2
    );

    assert!(node.sigterm().0.success());
    let (_, dump) = tool(&r_dir, &["log", "dump", "-json"]);
    let count = |kind: &str| {
        dump.lines()
            .filter(|l| l.contains(&format!("\"{kind}\"")))
            .count()
    };
    assert_eq!(count("RevealedTicketQueued"), 6);
    assert_eq!(count("RedemptionConfirmed"), 6, "{dump}");
    assert!(count("RedemptionHeld") >= 1, "the wait is an event");
    assert_eq!(count("TxSigned"), 6, "one transaction per ticket");
    let zero = format!("{}", Hash32::default());
    for l in dump.lines().filter(|l| l.contains("\"tx_hash\"")) {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let kind = v["kind"].as_str().unwrap();
        assert_ne!(
            v["event"][kind]["tx_hash"].as_str(),
            Some(zero.as_str()),
            "never a zero hash: {l}"
        );
    }
    let (code, out) = tool(&r_dir, &["replay"]);
    assert_eq!(code, 0, "{out}");

    // The audit matches each redemption with its transfer; the underfunded sender's ticket's
    // dispute shows it held until the refund, then paid in full.
    let (code, out) = tool(&r_dir, &["audit"]);
    assert_eq!(code, 0, "{out}");
    // The node stops right after the last receipt: its watcher may not have polled that block.
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" wei, shortfall "))
        .collect();
    assert_eq!(rows.len(), 6, "{out}");
    assert!(
        rows[..5].iter().all(|r| r.ends_with(": paid in full")),
        "{out}"
    );
    assert!(
        rows[5].ends_with(": paid in full")
            || rows[5].ends_with("the log ends before the watcher polled its block"),
        "{out}"
    );
    let (code, text) = tool(&r_dir, &["dispute", &big.ticket_hash.to_string()]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("dispute ticket {}", big.ticket_hash));
    assert_eq!(lines[1], "not received by this node as a payment");
    assert_eq!(lines[2], "afterwards:");
    let what: Vec<&str> = lines[3..]
        .iter()
        .map(|l| l.split_once(" ms: ").unwrap().1)
        .collect();
    assert_eq!(
        what[0],
        format!(
            "handed to this redeemer and queued: face value {} wei",
            eth * 2
        )
    );
    assert!(
        what[1].contains("held until the sender refunds"),
        "held first: {text}"
    );
    // The transfer shows where the log has it: before the receipt when the watcher polled its
    // block first, after it otherwise, or not at all when the node stopped before polling it.
    let paid = format!("WinningTicketTransfer of {} wei from ", eth * 2);
    let shown = what.iter().filter(|w| w.starts_with(&paid)).count();
    let what: Vec<&str> = what.into_iter().filter(|w| !w.starts_with(&paid)).collect();
    let n = what.len();
    assert!(
        what[n - 4].starts_with("redemption transaction 0x"),
        "{text}"
    );
    assert!(
        what[n - 3].starts_with("redemption submitted in transaction 0x"),
        "{text}"
    );
    assert!(what[n - 2].ends_with(": success"), "{text}");
    assert!(what[n - 1].starts_with("redeemed in block "), "{text}");
    assert_eq!(
        shown == 1,
        rows[5].ends_with(": paid in full"),
        "the transfer as the audit saw it: {text}"
    );
    assert!(shown <= 1, "{text}");
}
