//! An O with `-redeemerAddr` on the real contracts, through the binaries: a separate
//! `livepeer -redeemer` (holding the orchestrator's keystore) reports each sender's max float,
//! every update the O receives is an event (`MaxFloatReported`) and its next ticket params use
//! it — after the sender funds more reserve the face value follows within seconds (the latency
//! is printed) —, and the O's winning tickets are handed to the redeemer (`TicketForwarded`),
//! which redeems them: the transfer equals the face value.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    contract, o_args, redeemer_args, request, send, sender_session,
    setup::{devchain_rpc, next_round_client},
    wallet,
};
use ethers_core::types::U256;
use ethers_signers::Signer;
use livepeer::api::payment::encode_payment_header;
use livepeer::events::{Address, Price};
use livepeer::pm::{sender::create_payment, TicketExpirationParams};
use orch_support::{free_port, submit_signed, tool, Node};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_os_params_follow_its_redeemers_max_float_and_its_winners_go_there() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let b = wallet(j, "broadcaster");
    let broker = contract(j, "TicketBroker");
    let (eth, reserve) = (U256::exp10(18), U256::from(50_000_000_000_000_000u64));
    let service = format!("127.0.0.1:{}", free_port());
    chain_support::fund_and_activate(&rpc, j, eth, reserve, &format!("https://{service}")).await;

    let r_http = format!("127.0.0.1:{}", free_port());
    let r_cli = format!("127.0.0.1:{}", free_port());
    let r_args = redeemer_args(j, &url, &r_http, &["-cliAddr", &r_cli]);
    let r_args: Vec<&str> = r_args.iter().map(String::as_str).collect();
    let r_dir = dir.path().join("redeemer");
    let mut r = Node::start(&r_dir, &r_args);
    r.line("serving net.TicketRedeemer");

    // The O's tickets are worth their face value while it is the reserve (0.05 ETH).
    let mut args = o_args(j, &url, &service, "200ms");
    let o_cli = format!("127.0.0.1:{}", free_port());
    let ev = reserve.to_string();
    args.extend(
        [
            "-redeemerAddr",
            &r_http,
            "-ticketEV",
            &ev,
            "-reward=false",
            "-cliAddr",
            &o_cli,
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &args);
    o.line("paid in tickets");
    let client = next_round_client(&rpc, j, 800, &service).await;

    let info = client.get_orchestrator_as(&request(&b)).await.unwrap();
    let params = info.ticket_params.clone().unwrap();
    assert_eq!(
        params.face_value, reserve,
        "the face value is the redeemer's max float"
    );
    assert_eq!(params.win_prob, U256::MAX);

    // One paid segment; its ticket wins and goes to the redeemer.
    // -autoAdjustPrice (the default) raises the 1 wei per pixel by the redemption cost's share
    // of the face value, fixed to 3 decimals.
    let price = Price {
        price_per_unit: info.price_per_unit,
        pixels_per_unit: info.pixels_per_unit,
    };
    let per_pixel = price.price_per_unit as f64 / price.pixels_per_unit as f64;
    assert!(
        per_pixel > 1.0 && per_pixel < 2.0 && 1000 % price.pixels_per_unit == 0,
        "{price:?}"
    );
    let session = sender_session(&info);
    let me = Address(b.address().0);
    let (payment, _) =
        create_payment(&session, 1, &b, me, TicketExpirationParams::default()).unwrap();
    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let header = encode_payment_header(&payment);
    let res = submit_signed(&client, &info, &b, ("viaredeemer", 0), seg, &header)
        .await
        .unwrap();
    assert!(res.outcome.is_ok());

    // The sender funds 0.02 ETH more reserve: the next params follow the redeemer's report.
    let started = Instant::now();
    let more = U256::from(20_000_000_000_000_000u64);
    send(&rpc, &b, broker, "fundReserve()", &[], more).await;
    let mut face = U256::zero();
    while started.elapsed() < Duration::from_secs(30) {
        let info = client.get_orchestrator_as(&request(&b)).await.unwrap();
        face = info.ticket_params.unwrap().face_value;
        if face == reserve + more {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("max float update to new params: {:?}", started.elapsed());
    assert_eq!(
        face,
        reserve + more,
        "params use the reported max float within 30 s"
    );

    // The forwarded winner is redeemed by the redeemer after its params expire.
    rpc.mine(41).await.unwrap();
    let o_addr = wallet(j, "orchestrator").address();
    let mut paid = U256::zero();
    for _ in 0..60 {
        paid = chain_support::transfers_to(&rpc, broker, o_addr).await.1;
        if !paid.is_zero() {
            break;
        }
        rpc.mine(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(
        paid, reserve,
        "the redeemer redeemed the O's winner for its face value"
    );

    assert!(o.sigterm().0.success());
    assert!(r.sigterm().0.success());
    let (_, o_dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let count = |d: &str, kind: &str| {
        d.lines()
            .filter(|l| l.contains(&format!("\"kind\":\"{kind}\"")))
            .count()
    };
    assert!(
        count(&o_dump, "MaxFloatReported") >= 2,
        "each update the O received is an event"
    );
    assert_eq!(count(&o_dump, "TicketForwarded"), 1);
    assert_eq!(
        count(&o_dump, "TxSigned"),
        0,
        "the O sends no redemption itself"
    );
    let (_, r_dump) = tool(&r_dir, &["log", "dump", "-json"]);
    assert_eq!(count(&r_dump, "RevealedTicketQueued"), 1);
    assert_eq!(count(&r_dump, "RedemptionConfirmed"), 1);
}
