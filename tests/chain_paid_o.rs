//! An orchestrator paid in tickets on the real contracts, through the binary: a broadcaster
//! (played here by our own pm code with the broadcaster's keystore) asks for params with a
//! signed `GetOrchestrator`, pays each segment with a ticket in `Livepeer-Payment`, and the O
//! checks, credits, transcodes, debits price × pixels, queues the winning tickets (every ticket
//! wins here: `-ticketEV` equals `-maxFaceValue`, so the O's own odds are 1) and redeems them on
//! the TicketBroker after their params expire — the transfers sum to the face values exactly.
//! A bad request signature, an undecodable payment and a ticket signed by someone else are
//! refused with the reference's texts; the O's auth webhook refuses, then admits the B at the
//! price it sets (asked on every request); `livepeer replay` agrees with the O's checkpoints.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    call, contract, o_args, request,
    setup::{devchain_rpc, next_round_client},
    sign_segment, wallet,
};
use ethers_core::abi::Token;
use ethers_core::types::{Address as EthAddress, U256};
use ethers_signers::{LocalWallet, Signer};
use livepeer::api::{client::ClientError, payment::encode_payment_header};
use livepeer::chain::topics::Kind;
use livepeer::events::{Address, Event, Price};
use livepeer::pm::{
    sender::{create_payment, start_session},
    TicketExpirationParams,
};
use livepeer::projections::nonces::SenderSession;
use orch_support::{free_port, segment_meta, tool, Node};
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

const FACE: u64 = 2_000_000_000_000_000;

/// The O's auth webhook: refuses (403 `nope`) while `reject`, else admits at 3 wei per pixel.
struct Hook {
    reject: std::sync::atomic::AtomicBool,
    calls: std::sync::atomic::AtomicUsize,
}

async fn webhook() -> (String, std::sync::Arc<Hook>) {
    use axum::{extract::State, http::StatusCode, routing::post, Router};
    let hook = std::sync::Arc::new(Hook {
        reject: true.into(),
        calls: 0.into(),
    });
    let app = Router::new()
        .route(
            "/auth",
            post(
                |State(h): State<std::sync::Arc<Hook>>, body: String| async move {
                    assert!(body.contains("\"id\":\"0x"), "{body}");
                    h.calls.fetch_add(1, SeqCst);
                    if h.reject.load(SeqCst) {
                        (StatusCode::FORBIDDEN, "nope".to_string())
                    } else {
                        (
                            StatusCode::OK,
                            r#"{"priceInfo":{"pricePerUnit":3,"pixelsPerUnit":1}}"#.to_string(),
                        )
                    }
                },
            ),
        )
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/auth", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hook)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_o_on_the_chain_is_paid_in_tickets_and_redeems_the_winners() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let b = wallet(j, "broadcaster");
    let broker = contract(j, "TicketBroker");
    let eth = U256::exp10(18);
    let service = format!("127.0.0.1:{}", free_port());
    chain_support::fund_and_activate(&rpc, j, eth, eth, &format!("https://{service}")).await;

    let mut args = o_args(j, &url, &service, "200ms");
    let face = FACE.to_string();
    args.extend(
        [
            "-ticketEV",
            &face,
            "-maxFaceValue",
            &face,
            "-reward=false",
            "-initializeRound",
        ]
        .map(String::from),
    );
    args.extend(["-initializeRoundMaxDelay", "0s"].map(String::from));
    let (hook_url, hook) = webhook().await;
    args.extend(["-authWebhookUrl".to_string(), hook_url]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &args);
    assert!(o.line("serving").contains("paid in tickets"));
    let client = next_round_client(&rpc, j, 600, &service).await;
    // A request signed by someone else is refused.
    let mut forged = request(&b);
    forged.address = vec![7; 20];
    let err = client.get_orchestrator_as(&forged).await.unwrap_err();
    assert!(
        format!("{err}").contains("Invalid orchestrator request"),
        "{err}"
    );

    assert_eq!(
        hook.calls.load(SeqCst),
        0,
        "the signature is checked before the webhook"
    );
    // The auth webhook refuses the B, then admits it at 3 wei per pixel.
    let err = client.get_orchestrator_as(&request(&b)).await.unwrap_err();
    assert!(
        format!("{err}").contains("authentication failed: nope"),
        "{err}"
    );
    hook.reject.store(false, SeqCst);
    let info = client.get_orchestrator_as(&request(&b)).await.unwrap();
    assert_eq!(
        (info.price_per_unit, info.pixels_per_unit),
        (3, 1),
        "the webhook's price"
    );
    let again = client.get_orchestrator_as(&request(&b)).await.unwrap();
    assert_eq!(again.price_per_unit, 3);
    assert_eq!(
        hook.calls.load(SeqCst),
        3,
        "asked on every GetOrchestrator, as the reference"
    );
    let params = info
        .ticket_params
        .clone()
        .expect("ticket params on a chain");
    assert_eq!(info.address, wallet(j, "orchestrator").address().0.to_vec());
    assert_eq!(params.face_value, U256::from(FACE));
    assert_eq!(
        params.win_prob,
        U256::MAX,
        "EV = face value: every ticket wins"
    );
    let head = rpc.block_number().await.unwrap();
    assert_eq!(
        params.expiration_block,
        head + 40,
        "last seen L1 block + 40, never 0"
    );
    let price = Price {
        price_per_unit: info.price_per_unit,
        pixels_per_unit: info.pixels_per_unit,
    };
    let Event::SenderSessionStarted(started) = start_session(&params, price) else {
        unreachable!()
    };
    let mut session = SenderSession {
        params: started,
        last_nonce: 0,
    };
    let me = Address(b.address().0);

    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let profiles = ["P144p30fps16x9"];
    let t = Duration::from_secs(60);

    // Undecodable payment: 402.
    let mut m = segment_meta(&info, "paid", 0, &seg, &profiles);
    m.sig = sign_segment(&b, &m);
    match client
        .submit_segment(&info.transcoder, &m, "!!!", seg.clone(), t)
        .await
    {
        Err(ClientError::Refused { status, .. }) => assert_eq!(status, 402),
        other => panic!("{other:?}"),
    }
    // A segment signed by another key: 403 ErrSegSig, before any payment is looked at.
    let mut forged_seg = m.clone();
    forged_seg.sig = sign_segment(&LocalWallet::new(&mut rand::thread_rng()), &m);
    match client
        .submit_segment(&info.transcoder, &forged_seg, "", seg.clone(), t)
        .await
    {
        Err(ClientError::Refused { status, text }) => {
            assert_eq!((status, text.trim()), (403, "ErrSegSig"));
        }
        other => panic!("{other:?}"),
    }
    // A ticket signed by another key: 400 with the reference's text.
    let other = LocalWallet::new(&mut rand::thread_rng());
    let (bad, _) =
        create_payment(&session, 1, &other, me, TicketExpirationParams::default()).unwrap();
    match client
        .submit_segment(
            &info.transcoder,
            &m,
            &encode_payment_header(&bad),
            seg.clone(),
            t,
        )
        .await
    {
        Err(ClientError::Refused { status, text }) => {
            assert_eq!((status, text.trim()), (400, "invalid ticket signature"));
        }
        other => panic!("{other:?}"),
    }
    session.last_nonce += 1;

    // Eight paid segments, one ticket each.
    for seq in 1..=8i64 {
        let (payment, _) =
            create_payment(&session, 1, &b, me, TicketExpirationParams::default()).unwrap();
        session.last_nonce += 1;
        let mut m = segment_meta(&info, "paid", seq, &seg, &profiles);
        m.sig = sign_segment(&b, &m);
        let res = client
            .submit_segment(
                &info.transcoder,
                &m,
                &encode_payment_header(&payment),
                seg.clone(),
                t,
            )
            .await
            .unwrap();
        assert!(res.outcome.is_ok(), "segment {seq}: {:?}", res.outcome);
        // Each answer carries fresh params at the session's price, with our own token.
        let fresh = res.info.as_ref().unwrap();
        let fresh_params = fresh.ticket_params.as_ref().unwrap();
        assert_ne!(fresh_params.recipient_rand_hash, params.recipient_rand_hash);
        assert_ne!(fresh_params.seed, params.seed);
        assert_eq!(fresh_params.recipient, params.recipient);
        assert_eq!(
            (fresh.price_per_unit, fresh.pixels_per_unit),
            (price.price_per_unit, price.pixels_per_unit)
        );
        assert_eq!(fresh.auth_token, info.auth_token);
    }

    // The params expire; the O redeems its winning tickets.
    rpc.mine(41).await.unwrap();
    let o_addr = EthAddress::from(wallet(j, "orchestrator").address().0);
    let _topic = Kind::WinningTicketTransfer.topic0();
    let mut paid = U256::zero();
    for _ in 0..150 {
        paid = chain_support::transfers_to(&rpc, broker, o_addr).await.1;
        if paid >= U256::from(FACE) * 8 {
            break;
        }
        rpc.mine(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Eight tickets won (the one signed by another key was refused before its win counted).
    if paid != U256::from(FACE) * 8 {
        o.sigterm();
        let (_, dump) = tool(&o_dir, &["log", "dump"]);
        let tail: Vec<&str> = dump
            .lines()
            .filter(|l| !l.contains("BlockObserved"))
            .collect();
        panic!("paid {paid}: {}", tail.join("\n"));
    }
    let bm = contract(j, "BondingManager");
    let fees = call(
        &rpc,
        bm,
        "pendingFees(address,uint256)",
        &[Token::Address(o_addr), Token::Uint(0.into())],
    )
    .await[0];
    assert!(
        U256::from(FACE) * 8 - fees <= U256::from(8),
        "pending fees {fees}"
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(o.sigterm().0.success());
    let (_, dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let count = |kind: &str| {
        dump.lines()
            .filter(|l| l.contains(&format!("\"kind\":\"{kind}\"")))
            .count()
    };
    assert!(count("TicketParamsIssued") >= 1);
    assert_eq!(count("TicketReceived"), 9);
    assert_eq!(
        count("BalanceDebited"),
        8,
        "price × pixels after each transcode"
    );
    assert_eq!(count("WinningTicketQueued"), 8);
    assert_eq!(count("RedemptionConfirmed"), 8);
    let (code, out) = tool(&o_dir, &["replay"]);
    assert_eq!(code, 0, "{out}");
}
