//! Bad payments to an O on the real contracts, through the binary, each refused with the
//! reference's status and text and nothing credited: a replayed nonce, a ticket for another
//! recipientRandHash, params that expired, a zero expiration block; and a sender with no
//! reserve refused at `GetOrchestrator`.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    contract, o_args, request,
    setup::{devchain_rpc, next_round_client},
    wallet,
};
use ethers_core::types::U256;
use ethers_signers::{LocalWallet, Signer};
use livepeer::api::{client::ClientError, payment::encode_payment_header};
use livepeer::events::{Address, Event, Hash32, Price};
use livepeer::pm::{
    sender::{create_payment, start_session},
    TicketExpirationParams,
};
use livepeer::projections::nonces::SenderSession;
use orch_support::{free_port, submit_signed, tool, Node};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_payments_are_refused_with_the_references_texts_and_credit_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let b = wallet(j, "broadcaster");
    let _broker = contract(j, "TicketBroker");
    let eth = U256::exp10(18);
    let service = format!("127.0.0.1:{}", free_port());
    chain_support::fund_and_activate(&rpc, j, eth, eth, &format!("https://{service}")).await;
    let mut args = o_args(j, &url, &service, "200ms");
    args.extend(
        [
            "-reward=false",
            "-cliAddr",
            &format!("127.0.0.1:{}", free_port()),
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &args);
    o.line("paid in tickets");
    let client = next_round_client(&rpc, j, 800, &service).await;

    // A sender with no deposit or reserve gets no params.
    let poor = LocalWallet::new(&mut rand::thread_rng());
    let err = client
        .get_orchestrator_as(&request(&poor))
        .await
        .unwrap_err();
    assert!(
        format!("{err}").contains("insufficient sender reserve"),
        "{err}"
    );

    let info = client.get_orchestrator_as(&request(&b)).await.unwrap();
    let params = info.ticket_params.clone().unwrap();
    let price = Price {
        price_per_unit: info.price_per_unit,
        pixels_per_unit: info.pixels_per_unit,
    };
    let Event::SenderSessionStarted(started) = start_session(&params, price) else {
        unreachable!()
    };
    let me = Address(b.address().0);
    let rrh = started.recipient_rand_hash;
    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let post = |seq: i64, header: String| {
        let (client, info, seg, b) = (&client, &info, seg.clone(), &b);
        async move { submit_signed(client, info, b, ("bad", seq), seg, &header).await }
    };
    let refused = |r: Result<livepeer::api::info::SegmentResult, ClientError>| match r {
        Err(ClientError::Refused { status, text }) => (status, text.trim().to_string()),
        other => panic!("expected a refusal, got {other:?}"),
    };

    // A good payment, then the same tickets again.
    let session = SenderSession {
        params: started.clone(),
        last_nonce: 0,
    };
    let (good, _) = create_payment(&session, 1, &b, me, TicketExpirationParams::default()).unwrap();
    post(0, encode_payment_header(&good)).await.unwrap();
    let (status, text) = refused(post(1, encode_payment_header(&good)).await);
    assert_eq!(status, 400);
    assert!(
        text.starts_with("invalid ticket senderNonce: already seen"),
        "{text}"
    );

    // Tickets naming a recipientRandHash the O never issued.
    let mut other = started.clone();
    other.recipient_rand_hash = Hash32([7; 32]);
    let (wrong, _) = create_payment(
        &SenderSession {
            params: other,
            last_nonce: 0,
        },
        1,
        &b,
        me,
        TicketExpirationParams::default(),
    )
    .unwrap();
    let (status, text) = refused(post(2, encode_payment_header(&wrong)).await);
    assert_eq!(
        (status, text.as_str()),
        (400, "invalid recipientRand for ticket recipientRandHash")
    );

    // A zero expiration block.
    let mut zero = started.clone();
    zero.expiration_block = 0;
    let (z, _) = create_payment(
        &SenderSession {
            params: zero,
            last_nonce: 5,
        },
        1,
        &b,
        me,
        TicketExpirationParams::default(),
    )
    .unwrap();
    let (status, _) = refused(post(3, encode_payment_header(&z)).await);
    assert_eq!(status, 400);

    // The params expire: a ticket under them is refused.
    rpc.mine(41).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (late, _) = create_payment(
        &SenderSession {
            params: started,
            last_nonce: 10,
        },
        1,
        &b,
        me,
        TicketExpirationParams::default(),
    )
    .unwrap();
    let (status, text) = refused(post(4, encode_payment_header(&late)).await);
    assert_eq!((status, text.as_str()), (400, "TicketParams expired"));

    assert!(o.sigterm().0.success());
    let (_, dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let credited = dump
        .lines()
        .filter(|l| l.contains("\"kind\":\"BalanceCredited\""))
        .count();
    assert_eq!(credited, 1, "only the good payment was credited");

    // The replayed ticket's dispute: its first receipt accepted, the second refused at the
    // nonce check with the reference's text, each check with the state it read.
    let sender = livepeer::pm::receive::hex_address(&me);
    let q = format!("{sender}:{rrh}:1");
    let (code, text) = tool(&o_dir, &["dispute", &q]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!("dispute ticket sender {sender} recipientRandHash {rrh} nonce 1")
    );
    let receipts: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with("receipt "))
        .collect();
    assert_eq!(receipts.len(), 2, "{text}");
    assert!(
        lines[receipts[0]].starts_with("receipt 1 of 2: seq "),
        "{text}"
    );
    assert!(
        lines[receipts[1]].starts_with("receipt 2 of 2: seq "),
        "{text}"
    );
    let second = &lines[receipts[1]..];
    for k in 1..=6 {
        assert!(
            second[3 + k].starts_with(&format!("  check {k} ")),
            "{text}"
        );
    }
    assert_eq!(
        second[10],
        format!("  check 7 nonce: 1 nonce(s) taken under this recipientRandHash before this payment [1], earlier in it []; limit 600: FAILED: invalid ticket senderNonce: already seen sender={sender} nonce=1")
    );
    assert!(second[11].ends_with(": not reached"), "{text}");
    assert!(
        text.contains(&format!("  verdict: refused: invalid ticket senderNonce: already seen sender={sender} nonce=1; not credited")),
        "{text}"
    );
    let (code, out) = tool(&o_dir, &["audit"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("  refused 1: invalid ticket senderNonce: already seen\n"),
        "{out}"
    );
}
