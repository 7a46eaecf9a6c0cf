//! The spec's "Redeemer + RewardService + Multiple Orchestrator Nodes" on the real contracts,
//! through the binaries: the registered address's keys sit in a node with no role (the reward
//! service, which calls `reward`); a redeemer with its own account redeems for that address
//! (`-ethOrchAddr`, paying the gas); two Os with their own keys work for it (`-ethOrchAddr`,
//! `-redeemerAddr`) and share their secret from a file (`-sharedSecretFile`). Each O signs as
//! itself and issues params to the registered address; a sibling accepts the other's auth token;
//! a ticket replayed from one O to the other is refused (seed tags, ADR 0012); the winners both
//! Os took are redeemed by the redeemer to the registered address.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    account_in, contract, next_round, o_args, own_account_args, request, setup::devchain_rpc,
    sign_segment, wallet,
};
use ethers_core::types::{Bytes, U256};
use ethers_signers::Signer;
use livepeer::api::{
    client::{ClientError, OrchClient},
    info::OrchInfo,
    payment::encode_payment_header,
};
use livepeer::events::{Address, Event, Price};
use livepeer::pm::{
    sender::{create_payment, start_session},
    wire::WirePayment,
    TicketExpirationParams,
};
use livepeer::projections::nonces::SenderSession;
use orch_support::{free_port, segment_meta, tool, Node};
use std::{path::Path, time::Duration};

/// Posts `seg` as segment `seq` to `to`'s transcoder with `token_of`'s auth token, paid by `p`.
async fn post(
    client: &OrchClient,
    token_of: &OrchInfo,
    to: &OrchInfo,
    seq: i64,
    p: &WirePayment,
    seg: &[u8],
    b: &ethers_signers::LocalWallet,
) -> Result<livepeer::api::info::SegmentResult, ClientError> {
    let mut m = segment_meta(token_of, "multi", seq, seg, &["P144p30fps16x9"]);
    m.sig = sign_segment(b, &m);
    let header = encode_payment_header(p);
    client
        .submit_segment(
            &to.transcoder,
            &m,
            &header,
            seg.to_vec(),
            Duration::from_secs(60),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_os_behind_one_address_a_redeemer_and_a_reward_service() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let b = wallet(j, "broadcaster");
    let registered = wallet(j, "orchestrator");
    let orch = format!("{:?}", registered.address());
    let broker = contract(j, "TicketBroker");
    let (eth, reserve) = (U256::exp10(18), U256::from(50_000_000_000_000_000u64));
    chain_support::fund_and_activate(&rpc, j, eth, reserve, "https://lb.example:8935").await;

    // The reward service: the registered keys, no role.
    let mut rs_args = o_args(j, &url, "127.0.0.1:8935", "200ms");
    rs_args.retain(|a| !["-orchestrator", "-transcoder"].contains(&a.as_str()));
    for flag in ["-serviceAddr", "-pricePerUnit"] {
        let i = rs_args.iter().position(|a| a == flag).unwrap();
        rs_args.drain(i..i + 2);
    }
    rs_args.extend(["-cliAddr".to_string(), format!("127.0.0.1:{}", free_port())]);
    let rs_args: Vec<&str> = rs_args.iter().map(String::as_str).collect();
    let rs_dir = dir.path().join("reward");
    let mut rs = Node::start(&rs_dir, &rs_args);
    rs.line("Reward service for");

    // The redeemer: its own new account, paying gas for the registered address.
    let r_http = format!("127.0.0.1:{}", free_port());
    let r_cli = format!("127.0.0.1:{}", free_port());
    let r_keys = dir.path().join("r-keys");
    let mut r_args = own_account_args(
        j,
        &url,
        &r_keys,
        &[
            "-ethOrchAddr",
            &orch,
            "-httpAddr",
            &r_http,
            "-cliAddr",
            &r_cli,
        ],
    );
    r_args.retain(|a| !["-orchestrator", "-transcoder"].contains(&a.as_str()));
    for flag in ["-serviceAddr", "-pricePerUnit"] {
        let i = r_args.iter().position(|a| a == flag).unwrap();
        r_args.drain(i..i + 2);
    }
    r_args.push("-redeemer".into());
    let r_args: Vec<&str> = r_args.iter().map(String::as_str).collect();
    let r_dir = dir.path().join("redeemer");
    let mut r = Node::start(&r_dir, &r_args);
    let r_account = account_in(&r.line("On chain id"));
    assert_ne!(r_account, registered.address());
    r.line("serving net.TicketRedeemer");
    rpc.send(&b, Some(r_account), Bytes::new(), eth)
        .await
        .unwrap();

    // Two Os with their own keys, one shared secret.
    let secret = dir.path().join("shared.secret");
    std::fs::write(&secret, hex::encode(rand::random::<[u8; 32]>())).unwrap();
    let ev = reserve.to_string();
    let start_o = |name: &str| {
        let service = format!("127.0.0.1:{}", free_port());
        let cli = format!("127.0.0.1:{}", free_port());
        let mut args = own_account_args(
            j,
            &url,
            &dir.path().join(format!("{name}-keys")),
            &[
                "-ethOrchAddr",
                &orch,
                "-redeemerAddr",
                &r_http,
                "-sharedSecretFile",
                secret.to_str().unwrap(),
                "-ticketEV",
                &ev,
                "-cliAddr",
                &cli,
            ],
        );
        let i = args.iter().position(|a| a == "-serviceAddr").unwrap();
        args[i + 1] = service.clone();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let d = dir.path().join(name);
        let mut node = Node::start(&d, &args);
        let account = account_in(&node.line("On chain id"));
        node.line("Paid on behalf of");
        node.line("paid in tickets");
        (node, d, service, account)
    };
    let (o1, o1_dir, s1, a1) = start_o("o1");
    let (o2, o2_dir, s2, a2) = start_o("o2");
    next_round(&rpc, j).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let c1 = OrchClient::connect(&format!("https://{s1}")).await.unwrap();
    let c2 = OrchClient::connect(&format!("https://{s2}")).await.unwrap();
    let info1 = c1.get_orchestrator_as(&request(&b)).await.unwrap();
    let info2 = c2.get_orchestrator_as(&request(&b)).await.unwrap();
    for (info, own) in [(&info1, a1), (&info2, a2)] {
        assert_eq!(info.address, own.0.to_vec(), "each O signs as itself");
        let p = info.ticket_params.as_ref().unwrap();
        assert_eq!(
            p.recipient,
            Address(registered.address().0),
            "paid to the registered address"
        );
    }

    let pay = |info: &OrchInfo| -> WirePayment {
        let params = info.ticket_params.clone().unwrap();
        let price = Price {
            price_per_unit: info.price_per_unit,
            pixels_per_unit: info.pixels_per_unit,
        };
        let Event::SenderSessionStarted(started) = start_session(&params, price) else {
            unreachable!()
        };
        let session = SenderSession {
            params: started,
            last_nonce: 0,
        };
        let me = Address(b.address().0);
        create_payment(&session, 1, &b, me, TicketExpirationParams::default())
            .unwrap()
            .0
    };
    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let post = |c, token_of, to, seq, p| post(c, token_of, to, seq, p, &seg, &b);

    // O1 is paid with its params; the same tickets replayed to O2 are refused there.
    let p1 = pay(&info1);
    assert!(post(&c1, &info1, &info1, 0, &p1)
        .await
        .unwrap()
        .outcome
        .is_ok());
    match post(&c2, &info2, &info2, 1, &p1).await {
        Err(ClientError::Refused { status, text }) => {
            assert_eq!(status, 400);
            assert!(
                text.contains("ticket params were issued by another orchestrator node"),
                "{text}"
            );
        }
        other => panic!("a ticket replayed to the sibling must be refused: {other:?}"),
    }
    // O2 takes O1's auth token (the shared secret) with its own params.
    let p2 = pay(&info2);
    assert!(post(&c2, &info1, &info2, 2, &p2)
        .await
        .unwrap()
        .outcome
        .is_ok());

    // Both winners reach the redeemer, which redeems them to the registered address.
    rpc.mine(41).await.unwrap();
    let mut paid = U256::zero();
    for _ in 0..60 {
        paid = chain_support::transfers_to(&rpc, broker, registered.address())
            .await
            .1;
        if paid == reserve * 2 {
            break;
        }
        rpc.mine(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(
        paid,
        reserve * 2,
        "both Os' winners redeemed for the registered address"
    );

    for node in [o1, o2, r, rs] {
        assert!(node.sigterm().0.success());
    }
    let kinds = |d: &Path, kind: &str| -> Vec<serde_json::Value> {
        tool(d, &["log", "dump", "-json"])
            .1
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["kind"] == kind)
            .collect()
    };
    assert_eq!(kinds(&o1_dir, "TicketForwarded").len(), 1);
    assert_eq!(
        kinds(&o2_dir, "TicketForwarded").len(),
        1,
        "the replay was not forwarded"
    );
    assert_eq!(
        kinds(&o2_dir, "BalanceCredited").len(),
        1,
        "the replay credited nothing"
    );
    let redeemed = kinds(&r_dir, "RedemptionConfirmed");
    assert_eq!(redeemed.len(), 2);
    // The reward service, holding the registered keys, rewarded the round the Os worked in.
    let rewards: Vec<_> = kinds(&rs_dir, "TxSigned")
        .into_iter()
        .filter(|v| {
            v["event"]["TxSigned"]["purpose"]
                .to_string()
                .contains("Reward")
        })
        .collect();
    assert!(!rewards.is_empty(), "the reward service called reward");
    assert!(kinds(&r_dir, "TxSigned")
        .iter()
        .all(|v| v["event"]["TxSigned"]["purpose"]
            .to_string()
            .contains("Redeem")));
}
