//! A redemption the chain reverts for an underfunded sender, through the binary on the real
//! contracts, and what an operator's tools say of it. An O (every ticket wins: `-ticketEV` =
//! `-maxFaceValue`) is paid one segment by a broadcaster whose deposit covers one ticket; when
//! the params expire the O sends its redemption, and in the same block — mined by hand — someone
//! else redeems another of the broadcaster's tickets first, taking deposit and reserve. The O's
//! transaction is mined reverted; the O records why (`sender deposit and reserve are zero`,
//! asked of the chain: a receipt has no reason). Then `livepeer audit` explains every
//! difference, `livepeer audit -ethUrl` finds the log and the chain in agreement (the
//! transfer the O's watcher saw, the reverted receipt, the sender's emptied funds), and
//! `livepeer dispute` tells the ticket's whole story, checked line by line.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    contract, o_args, request, sender_session,
    setup::{devchain_rpc, next_round_client},
    wallet,
};
use ethers_core::types::U256;
use ethers_signers::Signer;
use livepeer::api::payment::encode_payment_header;
use livepeer::chain::{calls, tx};
use livepeer::events::Address;
use livepeer::pm::{sender::create_payment, TicketExpirationParams};
use orch_support::{free_port, submit_signed, tool, Node};
use std::time::Duration;

const FACE: u64 = 2_000_000_000_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redemption_reverted_for_an_underfunded_sender_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let b = wallet(j, "broadcaster");
    let o_wallet = wallet(j, "orchestrator");
    let o_addr = o_wallet.address();
    let broker = contract(j, "TicketBroker");
    let face = U256::from(FACE);
    let service = format!("127.0.0.1:{}", free_port());
    // A deposit and a reserve of one ticket each (the max float, the reserve, sets the face).
    chain_support::fund_and_activate(&rpc, j, face, face, &format!("https://{service}")).await;

    let mut args = o_args(j, &url, &service, "200ms");
    let f = FACE.to_string();
    args.extend(["-ticketEV", &f, "-maxFaceValue", &f, "-reward=false"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &args);
    o.line("serving");
    let client = next_round_client(&rpc, j, 600, &service).await;

    // One paid segment: its ticket wins.
    let info = client.get_orchestrator_as(&request(&b)).await.unwrap();
    let params = info.ticket_params.clone().unwrap();
    assert_eq!(params.face_value, face);
    let session = sender_session(&info);
    let me = Address(b.address().0);
    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let (payment, _) =
        create_payment(&session, 1, &b, me, TicketExpirationParams::default()).unwrap();
    let header = encode_payment_header(&payment);
    let res = submit_signed(&client, &info, &b, ("underfunded", 1), seg, &header)
        .await
        .unwrap();
    assert!(res.outcome.is_ok(), "{:?}", res.outcome);

    // Blocks from now on are mined by hand. The params expire; the O sends its redemption.
    rpc.set_automine(false).await.unwrap();
    let head = rpc.block_number().await.unwrap();
    rpc.mine(params.expiration_block + 2 - head).await.unwrap();
    let mut pending = false;
    for _ in 0..150 {
        if rpc.pending_nonce(o_addr).await.unwrap() > rpc.mined_nonce(o_addr).await.unwrap() {
            pending = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(pending, "the O sent no redemption");

    // Someone redeems another of the broadcaster's tickets, paying more gas: it goes first in
    // the block and takes the deposit and the whole reserve.
    let creation = chain_support::creation_round(&rpc, j).await;
    let rand = U256::from(777);
    let exp = rpc.block_number().await.unwrap() + 10;
    let other = chain_support::ticket(&b, Address(o_addr.0), 99, face * 2, creation, exp, rand);
    let call = tx::Call::new(
        broker,
        calls::redeem_winning_ticket(&other, rand).unwrap(),
        U256::zero(),
    );
    let gas_price = rpc.gas_price().await.unwrap() * 10;
    let nonce = rpc.pending_nonce(b.address()).await.unwrap();
    let signed = tx::sign(&b, rpc.chain_id(), nonce, &call, 800_000, gas_price).unwrap();
    rpc.broadcast(signed.raw).await.unwrap();
    rpc.mine(1).await.unwrap();
    rpc.set_automine(true).await.unwrap();
    // The O records the receipt (and asks the chain why it reverted) on its next blocks.
    rpc.mine(3).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(o.sigterm().0.success());

    let (_, dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let records: Vec<serde_json::Value> = dump
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |kind: &str| -> Vec<&serde_json::Value> {
        records.iter().filter(|r| r["kind"] == kind).collect()
    };
    let failed = of("RedemptionFailed");
    assert_eq!(failed.len(), 1, "{dump}");
    let reason = failed[0]["event"]["RedemptionFailed"]["reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.starts_with("transaction failed txHash=0x")
            && reason.ends_with(": reverted: sender deposit and reserve are zero"),
        "{reason}"
    );
    let ticket = of("WinningTicketQueued")[0]["event"]["WinningTicketQueued"]["ticket_hash"]
        .as_str()
        .unwrap()
        .to_string();

    // The audit: the winner given up with the chain's reason, and nothing unexplained.
    let (code, audit) = tool(&o_dir, &["audit"]);
    assert_eq!(code, 0, "{audit}");
    assert!(
        audit.contains(&format!("winner {ticket} nonce 1: given up: {reason}")),
        "{audit}"
    );
    assert!(
        audit.contains("audit: every difference explained"),
        "{audit}"
    );
    let controller = j["controller"].as_str().unwrap();
    let (code, vs_chain) = tool(
        &o_dir,
        &["audit", "-ethUrl", &url, "-ethController", controller],
    );
    assert_eq!(code, 0, "{vs_chain}");
    assert!(
        vs_chain.contains(
            ": 1 WinningTicketTransfers, 1 receipts, 1 senders' funds agree with the log"
        ),
        "{vs_chain}"
    );
    assert!(
        vs_chain.contains("chain: the log agrees with the chain"),
        "{vs_chain}"
    );
    let (code, story) = tool(&o_dir, &["dispute", &ticket]);
    assert_eq!(code, 0, "{story}");
    let got: Vec<&str> = story.lines().collect();
    let want = expected_story(&records, &ticket, &b, o_addr);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
    assert_eq!(got.len(), want.len(), "{story}");
    let (_, again) = tool(&o_dir, &["dispute", &ticket]);
    assert_eq!(story, again, "the same bytes on every run");
}

/// The dispute's lines, each built from the records of `livepeer log dump -json` and what the
/// test knows (the accounts, the funds it gave, the O's flags).
fn expected_story(
    records: &[serde_json::Value],
    ticket: &str,
    b: &ethers_signers::LocalWallet,
    o: ethers_core::types::Address,
) -> Vec<String> {
    use ethers_core::utils::to_checksum;
    let find =
        |kind: &str, pred: &dyn Fn(&serde_json::Value) -> bool| -> (u64, u64, serde_json::Value) {
            let r = records
                .iter()
                .find(|r| r["kind"] == kind && pred(&r["event"][kind]))
                .unwrap_or_else(|| panic!("no {kind}"));
            (
                r["seq"].as_u64().unwrap(),
                r["at_ms"].as_u64().unwrap(),
                r["event"][kind].clone(),
            )
        };
    let any = |_: &serde_json::Value| true;
    let (sender, me) = (to_checksum(&b.address(), None), to_checksum(&o, None));
    let (rs, rat, rcv) = find("TicketReceived", &|e| e["ticket_hash"] == ticket);
    let rrh = rcv["recipient_rand_hash"].as_str().unwrap().to_string();
    let (ps, pat, p) = find("TicketParamsIssued", &|e| {
        e["recipient_rand_hash"] == rrh.as_str()
    });
    let exp = p["expiration_block"].as_u64().unwrap();
    let round = p["creation"]["round"].as_u64().unwrap();
    let (fs, _, _) = find("FixedPriceSet", &any);
    let (cs, _, _) = find("BalanceCredited", &any);
    let (qs, qat, _) = find("WinningTicketQueued", &|e| e["ticket_hash"] == ticket);
    let (ss, sat, signed) = find("TxSigned", &any);
    let tx = signed["hash"].as_str().unwrap().to_string();
    let (us, uat, _) = find("RedemptionSubmitted", &any);
    let (ts, tat, transfer) = find("SenderFundsChanged", &|e| {
        e["change"]["WinningTicketTransfer"].is_object()
    });
    let (ms, mat, mined) = find("TxMined", &any);
    let block = mined["block"].as_u64().unwrap();
    let (xs, xat, failed) = find("RedemptionFailed", &any);
    vec![
        format!("dispute ticket {ticket}"),
        format!("receipt 1 of 1: seq {rs} at {rat} ms, ticket {ticket}, sender {sender}, recipientRandHash {rrh}, nonce 1, session {}", rcv["session"].as_str().unwrap()),
        format!("  params issued: seq {ps} at {pat} ms: face value {FACE} wei, win prob {}, price {}/{} wei/pixel, creation round {round} (block hash {}), expire at L1 block {exp}", U256::MAX, p["price"]["price_per_unit"], p["price"]["pixels_per_unit"], p["creation"]["block_hash"].as_str().unwrap()),
        format!("  payment: seqs from {fs}, 1 ticket(s), this one #1; session price fixed by this payment at seq {fs}"),
        format!("  chain: last L1 block {}, round {round}, pool size 1", exp - 40),
        format!("  check 1 sender (ValidateSender): deposit {FACE} wei, reserve {FACE} wei, withdraw round 0, last initialized round {round}: ok"),
        "  check 2 recipient is this node: ok".into(),
        "  check 3 sender is not 0x0: ok".into(),
        "  check 4 recipientRand matches recipientRandHash: ok".into(),
        "  check 5 signature: ok".into(),
        "  check 6 won: yes".into(),
        "  check 7 nonce: 0 nonce(s) taken under this recipientRandHash before this payment [], earlier in it []; limit 600: ok".into(),
        format!("  check 8 expiry: expiration block {exp} against last L1 block {}: ok", exp - 40),
        format!("  max float: {FACE} wei (reserve allocation {FACE} wei of pool size 1, pending redemptions 0 wei)"),
        "  balance before the payment: 0 wei".into(),
        format!("  verdict: accepted, won, EV {FACE} wei; the payment credited {FACE} wei at seq {cs} → balance {FACE} wei"),
        "afterwards:".into(),
        format!("  seq {qs} at {qat} ms: queued for redemption: face value {FACE} wei"),
        format!("  seq {ss} at {sat} ms: redemption transaction {tx} signed at nonce {}", signed["nonce"]),
        format!("  seq {us} at {uat} ms: redemption submitted in transaction {tx}"),
        format!("  seq {ts} at {tat} ms: WinningTicketTransfer of {} wei from {sender} to {me} in block {block}", transfer["change"]["WinningTicketTransfer"]["amount"].as_str().unwrap()),
        format!("  seq {ms} at {mat} ms: transaction {tx} mined in block {block}: reverted"),
        format!("  seq {xs} at {xat} ms: redemption failed: {} → given up", failed["reason"].as_str().unwrap()),
    ]
}
