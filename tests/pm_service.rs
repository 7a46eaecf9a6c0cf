//! The service around the pure decisions: concurrent duplicate payments are credited once, the
//! projections equal a replay of the log, and after a restart (fjall log reopened, secret loaded
//! from the keystore directory) params issued before the restart are still accepted.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use livepeer::events::{Event, TicketOutcome};
use livepeer::log::{FjallLog, MemoryLog};
use livepeer::node::keystore::load_or_create_rand_secret;
use livepeer::node::payments::Payments;
use livepeer::pm::num::ratio_to_big;
use livepeer::projections::payments::PaymentProjections;
use num_rational::BigRational;
use pm_common::*;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_are_credited_once() {
    let (w, b, params) = funded(3);
    let svc = Arc::new(w.desk(Arc::new(MemoryLog::in_memory().unwrap())).await);

    let pay = payment(&b, &params, 1, 2);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (svc, pay) = (svc.clone(), pay.clone());
        tasks.push(tokio::spawn(async move {
            svc.receive_payment(2, &pay, "s", true).await.unwrap()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap().error.is_none() {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one of the duplicates is accepted");
    let acc = o_account(addr(&b), "s");
    let ev = ev_of(&params, addr(&b));
    let bal = svc.with_projections(|p| ratio_to_big(&p.balances.balance(&acc)));
    assert_eq!(bal, ev * BigRational::from_integer(2.into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_secret_projections_and_issued_params() {
    let data = tempfile::tempdir().unwrap();
    let keys = data.path().join("keystore");
    let mut w = World::new();
    w.secret = load_or_create_rand_secret(&keys).unwrap();
    let b = w.fund_b();
    let params = w.issue(addr(&b), 11);
    let live = {
        let svc = w
            .desk(Arc::new(FjallLog::open_dir(data.path()).unwrap()))
            .await;
        let r = svc
            .receive_payment(2, &payment(&b, &params, 1, 1), "s", true)
            .await
            .unwrap();
        assert_eq!(r.error, None);
        svc.with_projections(PaymentProjections::clone)
    };
    // Restart: new process, same datadir and keystore.
    let secret = load_or_create_rand_secret(&keys).unwrap();
    let log = Arc::new(FjallLog::open_dir(data.path()).unwrap());
    let svc = Payments::open(log, w.me(), secret).unwrap();
    assert_eq!(
        svc.with_projections(PaymentProjections::clone),
        live,
        "replay = live"
    );
    let r = svc
        .receive_payment(3, &payment(&b, &params, 2, 1), "s", true)
        .await
        .unwrap();
    assert_eq!(r.error, None, "params issued before the restart stay valid");
    let r = svc
        .receive_payment(4, &payment(&b, &params, 2, 1), "s", true)
        .await
        .unwrap();
    assert!(r
        .error
        .unwrap()
        .to_string()
        .starts_with("invalid ticket senderNonce: already seen"));
    assert!(r.envelopes.iter().any(|e| matches!(&e.event, Event::TicketReceived(t) if matches!(t.outcome, TicketOutcome::Rejected { .. }))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_appended_straight_to_the_log_are_seen_before_deciding() {
    let (w, b, params) = funded(3);
    let log = Arc::new(MemoryLog::in_memory().unwrap());
    let svc = w.desk(log.clone()).await;
    // The chain watcher appends the block that expires the params without going through us.
    let block = Event::BlockObserved(livepeer::events::BlockObserved {
        number: 9_999,
        hash: livepeer::events::Hash32([9; 32]),
        parent: livepeer::events::Hash32([8; 32]),
        l1_number: params.expiration_block,
    });
    log.append(vec![(2, block)], livepeer::log::Expect::Any)
        .await
        .unwrap();
    let r = svc
        .receive_payment(3, &payment(&b, &params, 1, 1), "s", true)
        .await
        .unwrap();
    assert_eq!(
        r.error.map(|e| e.to_string()),
        Some("TicketParams expired".into())
    );
    let live = svc.with_projections(PaymentProjections::clone);
    assert_eq!(
        live.next_seq,
        log.head().next_seq,
        "caught up with every record"
    );
}
