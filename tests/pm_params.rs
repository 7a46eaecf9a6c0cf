//! Ticket params on both sides: the O's face value / winProb / expiry / creation round
//! (facts §3.5), and the B's validation of them in the reference's order and texts (§3.7),
//! sessions with nonces from 1, and issued params round-tripping through a B to an O.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use ethers_core::types::U256;
use livepeer::events::{Event, Hash32, Price, Wei};
use livepeer::pm::{
    issue::{expiration_params, face_value, issue_params, IssueConfig, IssueError, IssueInput},
    sender::{create_payment, start_session, validate_ticket_params, SenderConfig, SenderError},
    ticket_ev, TicketExpirationParams, MAX_WIN_PROB,
};
use livepeer::projections::max_float::Funds;
use num_rational::BigRational;
use pm_common::*;

const GWEI: u64 = 1_000_000_000;

#[test]
fn face_value_follows_tx_cost_ev_max_float_and_cap() {
    let cfg = IssueConfig::default(); // EV 8e9, redeemGas 1.2e6, ×100
    let big = U256::MAX;
    // 1 gwei: txCost 1.2e15, fv 1.2e17.
    assert_eq!(
        face_value(&cfg, GWEI.into(), big).unwrap(),
        U256::from(120_000_000_000_000_000u128)
    );
    // Gas 0: fv < EV → EV × 100; but fv < txCost (0)? no; fv ≥ avg cost? 8e11 < 3.6e15 and fv ≥ 0 = txCost → ok.
    assert_eq!(
        face_value(&cfg, U256::zero(), big).unwrap(),
        U256::from(800_000_000_000u64)
    );
    // Capped by max float.
    assert_eq!(
        face_value(&cfg, GWEI.into(), U256::from(10u64.pow(16))).unwrap(),
        U256::from(10u64.pow(16))
    );
    // Capped by -maxFaceValue.
    let capped = IssueConfig {
        max_face_value: U256::from(5u64 * 10u64.pow(15)),
        ..cfg
    };
    assert_eq!(
        face_value(&capped, GWEI.into(), big).unwrap(),
        U256::from(5u64 * 10u64.pow(15))
    );
    // Max float below EV.
    assert_eq!(
        face_value(&cfg, GWEI.into(), U256::from(7_999_999_999u64)),
        Err(IssueError::InsufficientSenderReserve)
    );
    // Below txCost and below the 3 gwei average cost: refused.
    assert_eq!(
        face_value(&cfg, U256::from(10 * GWEI), U256::from(10u64.pow(15))),
        Err(IssueError::InsufficientSenderReserve)
    );
    // Below txCost but above the average cost: accepted.
    let fv = U256::from(4u64 * 10u64.pow(15));
    assert_eq!(face_value(&cfg, U256::from(10 * GWEI), fv).unwrap(), fv);
    // Overflowing gas price is a typed error.
    assert!(matches!(
        face_value(&cfg, U256::MAX, big),
        Err(IssueError::Num(_))
    ));
}

#[test]
fn issued_params_expiry_win_prob_and_creation_round() {
    let (w, _, p) = funded(1);
    assert_eq!(p.expiration_block, L1 + 40);
    assert_eq!(
        p.expiration_params,
        TicketExpirationParams {
            creation_round: ROUND,
            creation_round_block_hash: round_hash()
        }
    );
    let ev = ticket_ev(p.face_value, p.win_prob);
    let want = BigRational::from_integer(8_000_000_000u64.into());
    assert!(ev >= want, "EV rounds up: winProb uses ceil");
    assert!(ev - want < BigRational::from_integer(1.into()));

    let mut r = w.rounds();
    r.last_initialized_block_hash = Hash32::default();
    assert_eq!(
        expiration_params(&r),
        TicketExpirationParams {
            creation_round: ROUND - 1,
            creation_round_block_hash: Hash32([0xcd; 32])
        }
    );

    // Price 0: free work, no max float needed.
    let input = IssueInput {
        recipient: w.me(),
        sender: addr(&wallet(3)),
        price: Price {
            price_per_unit: 0,
            pixels_per_unit: 1,
        },
        gas_price: GWEI.into(),
        max_float: None,
        last_l1_block: L1,
        rounds: w.rounds(),
        seed: U256::from(9),
    };
    let (p, ev) = issue_params(&w.cfg, &w.secret, &input).unwrap();
    assert!(p.face_value.is_zero() && p.win_prob.is_zero());
    assert!(matches!(ev, Event::TicketParamsIssued(ref i) if i.seed.0[31] == 9));
    // Priced work for an unknown sender is refused.
    let priced = IssueInput {
        price: price(),
        ..input
    };
    assert!(matches!(
        issue_params(&w.cfg, &w.secret, &priced),
        Err(IssueError::UnknownSender(_))
    ));
    // face value = EV gives maxWinProb.
    let exact = IssueInput {
        max_float: Some(w.cfg.ev),
        gas_price: U256::zero(),
        ..priced
    };
    let (p, _) = issue_params(&w.cfg, &w.secret, &exact).unwrap();
    assert_eq!(p.win_prob, MAX_WIN_PROB);
}

fn funds(deposit: u128, reserve: u128, withdraw_round: u64) -> Funds {
    Funds {
        deposit: Wei::from_u128(deposit),
        reserve_remaining: Wei::from_u128(reserve),
        withdraw_round,
        ..Default::default()
    }
}

#[test]
fn b_validates_params_in_reference_order() {
    let (_, _, p) = funded(1);
    let cfg = SenderConfig::default();
    let f = funds(10u128.pow(18), 10u128.pow(19), 0);
    let v =
        |p: Option<&_>, n, f: Option<&Funds>, l1| validate_ticket_params(&cfg, p, n, f, l1, ROUND);
    assert_eq!(v(Some(&p), 1, Some(&f), L1), Ok(()));
    assert_eq!(
        v(None, 1, Some(&f), L1).unwrap_err().to_string(),
        "ticketParams is nil"
    );
    let mut zero = p.clone();
    zero.expiration_block = 0;
    assert_eq!(
        v(Some(&zero), 1, Some(&f), L1).unwrap_err().to_string(),
        "ticketParams expiration block is 0"
    );
    assert_eq!(v(Some(&p), 1, Some(&f), L1 + 39), Err(SenderError::Expired));
    assert_eq!(v(Some(&p), 1, Some(&f), L1 + 38), Ok(()));
    let mut low = p.clone();
    low.face_value = U256::from(10);
    low.win_prob = U256::MAX;
    assert_eq!(
        v(Some(&low), 1, Some(&f), L1).unwrap_err().to_string(),
        "ticket faceValue too low faceValue=10"
    );
    let strict = SenderConfig {
        max_ev: BigRational::from_integer(1_000_000_000u64.into()),
        ..SenderConfig::default()
    };
    let e = validate_ticket_params(&strict, Some(&p), 1, Some(&f), L1, ROUND)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("ticket EV 8000000000.") && e.ends_with(" > max ticket EV 1000000000.00000"),
        "{e}"
    );
    assert_eq!(
        v(Some(&p), 1, Some(&funds(1, 1, ROUND + 1)), L1)
            .unwrap_err()
            .to_string(),
        "unable to validate sender: deposit and reserve is set to unlock soon"
    );
    assert_eq!(
        v(Some(&p), 1, Some(&funds(1, 0, 0)), L1)
            .unwrap_err()
            .to_string(),
        "no sender reserve"
    );
    assert_eq!(
        v(Some(&p), 1, Some(&funds(0, 1, 0)), L1)
            .unwrap_err()
            .to_string(),
        "no sender deposit"
    );
    let e = v(Some(&p), 2501, Some(&f), L1).unwrap_err().to_string();
    assert!(
        e.starts_with("total ticket EV ")
            && e.contains(" for 2501 tickets > max total ticket EV 20000000000000.00000"),
        "{e}"
    );
    let e = v(Some(&p), 1, Some(&funds(1000, 1, 0)), L1)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!("ticket faceValue {} > max faceValue 1000", p.face_value)
    );
}

#[test]
fn sessions_number_tickets_from_one_and_o_accepts_them() {
    let (mut w, b, p) = funded(77);
    // The B's own log: session started, then two batches.
    let mut bw = World::new();
    bw.append(vec![start_session(&p, price())]);
    let s = bw.session(&p.recipient_rand_hash).unwrap().clone();
    assert_eq!(s.last_nonce, 0);
    let own = TicketExpirationParams::default();
    let (pay1, ev1) = create_payment(&s, 2, &b, addr(&b), own).unwrap();
    assert_eq!(
        pay1.ticket_sender_params
            .iter()
            .map(|t| t.sender_nonce)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    bw.append(vec![ev1]);
    let s = bw.session(&p.recipient_rand_hash).unwrap().clone();
    assert_eq!(s.last_nonce, 2);
    let (pay2, _) = create_payment(&s, 1, &b, addr(&b), own).unwrap();
    assert_eq!(pay2.ticket_sender_params[0].sender_nonce, 3);
    for pay in [pay1, pay2] {
        let d = w.decide(&pay, "sess");
        assert_eq!(d.error, None);
        w.append(d.events);
    }
}
