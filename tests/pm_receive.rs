//! The O receiving payments: each check of facts §3.8 in the reference's order, with its exact
//! text and fatal/non-fatal effect, credit Σ EV, nonce sets, expiry and queued winners.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use ethers_core::types::U256;
use livepeer::events::{Account, Address, Event, TicketOutcome};
use livepeer::pm::{
    receive::{hex_address, MAX_SENDER_NONCES},
    recipient_rand_hash,
    wire::{PriceInfo, WirePayment},
    PaymentError, TicketParams,
};
use num_rational::BigRational;
use pm_common::*;

fn account(sender: Address) -> Account {
    o_account(sender, "sess")
}

fn setup() -> (World, ethers_signers::LocalWallet, TicketParams) {
    funded(42)
}

fn outcomes(events: &[Event]) -> Vec<TicketOutcome> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::TicketReceived(t) => Some(t.outcome.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn valid_payment_credits_sum_of_ev_and_fixes_the_price_once() {
    let (mut w, b, params) = setup();
    let d = w.decide(&payment(&b, &params, 1, 3), "sess");
    assert_eq!(d.error, None);
    let ev = ev_of(&params, addr(&b));
    assert!(matches!(d.events[0], Event::FixedPriceSet(_)));
    assert_eq!(outcomes(&d.events).len(), 3);
    w.append(d.events);
    let bal = w.balance(&account(addr(&b)));
    assert_eq!(bal, &ev * BigRational::from_integer(3.into()));
    assert_eq!(
        w.proj.balances.fixed_price(&account(addr(&b))),
        Some(price())
    );

    let d = w.decide(&payment(&b, &params, 4, 2), "sess");
    assert_eq!(d.error, None);
    assert!(!d
        .events
        .iter()
        .any(|e| matches!(e, Event::FixedPriceSet(_))));
    w.append(d.events);
    let bal = w.balance(&account(addr(&b)));
    assert_eq!(bal, ev * BigRational::from_integer(5.into()));
}

#[test]
fn no_ticket_params_fixes_price_zero() {
    let (w, b, _) = setup();
    let p = WirePayment {
        sender: addr(&b).0.to_vec(),
        ..Default::default()
    };
    let d = w.decide(&p, "sess");
    assert_eq!(d.error, None);
    let Event::FixedPriceSet(f) = &d.events[0] else {
        panic!("{:?}", d.events)
    };
    assert_eq!(f.price.price_per_unit, 0);
}

#[test]
fn pre_loop_checks_in_order_with_reference_texts() {
    let (w, b, params) = setup();
    let mut p = payment(&b, &params, 1, 1);
    p.sender.clear();
    let e = w.decide(&p, "sess").error.unwrap();
    assert!(e
        .to_string()
        .starts_with("Could not find Sender for payment: "));

    let p = payment(&b, &params, 1, 1);
    let d = livepeer::pm::decide_payment(
        w.proj.view(),
        livepeer::pm::Recipient {
            address: w.me(),
            secret: &w.secret,
            seed_tag: None,
        },
        livepeer::pm::PaymentInput {
            payment: &p,
            session: "sess",
            last_l1_block: w.last_l1,
            last_initialized_round: ROUND,
            recipient_active: false,
            checked: None,
        },
    );
    assert_eq!(
        d.error.unwrap().to_string(),
        format!(
            "orchestrator {} is inactive in round {ROUND}, cannot process payments",
            hex_address(&w.me())
        )
    );
    assert!(d.events.is_empty());

    let mut p = payment(&b, &params, 1, 1);
    p.expected_price = None;
    assert_eq!(
        w.decide(&p, "sess").error.unwrap().to_string(),
        "invalid expected price sent with payment err=\"expected price is nil\""
    );
    p.expected_price = Some(PriceInfo {
        price_per_unit: 500,
        pixels_per_unit: 0,
    });
    assert_eq!(
        w.decide(&p, "sess").error.unwrap().to_string(),
        "invalid expected price sent with payment err=\"pixels per unit is 0\""
    );
}

#[test]
fn sender_validation_is_fatal() {
    let (mut w, _, _) = setup();
    let stranger = wallet(9);
    let params = w.issue(addr(&wallet(2)), 1);
    let p = payment(&stranger, &params, 1, 1);
    let d = w.decide(&p, "sess");
    let e = d.error.unwrap();
    assert!(e.is_fatal());
    assert_eq!(
        e.to_string(),
        format!(
            "could not get sender info for {}: sender funds not observed yet",
            hex_address(&addr(&stranger))
        )
    );
    assert!(d.events.is_empty(), "fatal errors log nothing");

    // Unlock ending next round: refused; the round after: fine.
    let b = wallet(2);
    let unlock = |w: &mut World, end_round| {
        w.append(vec![Event::SenderFundsChanged(
            livepeer::events::SenderFundsChanged {
                sender: addr(&b),
                change: livepeer::events::FundsChange::Unlock {
                    start_round: ROUND,
                    end_round,
                },
                pos: Default::default(),
            },
        )]);
    };
    unlock(&mut w, ROUND + 1);
    let params = w.issue(addr(&b), 5);
    let e = w.decide(&payment(&b, &params, 1, 1), "sess").error.unwrap();
    assert_eq!(
        e.to_string(),
        format!(
            "deposit and reserve for sender {} is set to unlock soon",
            hex_address(&addr(&b))
        )
    );
    unlock(&mut w, ROUND + 2);
    assert_eq!(w.decide(&payment(&b, &params, 1, 1), "sess").error, None);
}

#[test]
fn recipient_sender_and_rand_checks_are_fatal() {
    let (mut w, b, params) = setup();
    let mut other = params.clone();
    other.recipient = Address([9; 20]);
    let e = w.decide(&payment(&b, &other, 1, 1), "sess").error.unwrap();
    assert_eq!(e, PaymentError::InvalidRecipient);
    assert!(e.is_fatal());

    let mut tampered = params.clone();
    tampered.face_value = params.face_value + U256::one();
    let e = w
        .decide(&payment(&b, &tampered, 1, 1), "sess")
        .error
        .unwrap();
    assert_eq!(
        e.to_string(),
        "invalid recipientRand for ticket recipientRandHash"
    );
    assert!(e.is_fatal());

    // The zero sender (with funds observed, so check 1 passes) is refused at check 3.
    w.fund(Address::default(), 1, 1);
    let mut p = payment(&b, &params, 1, 1);
    p.sender = vec![0; 20];
    assert_eq!(
        w.decide(&p, "sess").error,
        Some(PaymentError::InvalidSender)
    );
}

#[test]
fn bad_signature_is_not_fatal_and_stops_credit_for_later_tickets() {
    let (mut w, b, params) = setup();
    let mut p = payment(&b, &params, 1, 3);
    p.ticket_sender_params[1].sig[64] = 29;
    let d = w.decide(&p, "sess");
    assert_eq!(d.error, Some(PaymentError::InvalidSignature));
    let o = outcomes(&d.events);
    assert!(matches!(&o[0], TicketOutcome::Accepted { ev, .. } if !ev.numer.is_empty()));
    assert!(
        matches!(&o[1], TicketOutcome::Rejected { reason, fatal: false, .. } if reason == "invalid ticket signature")
    );
    // Checked and its nonce taken, but not credited: the reference credits nothing after an error.
    assert!(matches!(&o[2], TicketOutcome::Accepted { ev, .. } if ev.numer.is_empty()));
    w.append(d.events);
    let ev = ev_of(&params, addr(&b));
    assert_eq!(w.balance(&account(addr(&b))), ev);
    assert!(w.proj.nonces.seen(&params.recipient_rand_hash, 3));
    assert!(!w.proj.nonces.seen(&params.recipient_rand_hash, 2));

    // A high-s twin of a valid signature is refused as well.
    let mut p = payment(&b, &params, 10, 1);
    let sig: [u8; 65] = p.ticket_sender_params[0].sig.clone().try_into().unwrap();
    p.ticket_sender_params[0].sig = livepeer::pm::sig::high_s_twin(&sig).to_vec();
    assert_eq!(
        w.decide(&p, "sess").error,
        Some(PaymentError::InvalidSignature)
    );
}

#[test]
fn nonces_are_a_set_seen_once_and_capped_at_600() {
    let (mut w, b, params) = setup();
    let d = w.decide(&payment(&b, &params, 5, 1), "sess");
    w.append(d.events);
    // Out of order is fine.
    let d = w.decide(&payment(&b, &params, 2, 1), "sess");
    assert_eq!(d.error, None);
    w.append(d.events);
    let d = w.decide(&payment(&b, &params, 5, 1), "sess");
    assert_eq!(
        d.error.unwrap().to_string(),
        format!(
            "invalid ticket senderNonce: already seen sender={} nonce=5",
            hex_address(&addr(&b))
        )
    );
    // Duplicates within one payment too.
    let mut p = payment(&b, &params, 7, 2);
    p.ticket_sender_params[1] = p.ticket_sender_params[0].clone();
    let d = w.decide(&p, "sess");
    assert!(matches!(
        d.error,
        Some(PaymentError::NonceSeen { nonce: 7, .. })
    ));

    let (mut w2, _, params) = funded(42);
    let d = w2.decide(&payment(&b, &params, 1, MAX_SENDER_NONCES as u32 + 1), "s");
    assert_eq!(
        d.error.unwrap().to_string(),
        format!(
            "invalid ticket senderNonce: too many values sender={} nonce=601",
            hex_address(&addr(&b))
        )
    );
    w2.append(d.events);
    assert_eq!(w2.proj.nonces.count(&params.recipient_rand_hash), 600);
}

#[test]
fn expired_params_are_refused_but_winners_still_queue_and_nonce_sets_purge() {
    let (mut w, b, mut params) = setup();
    // Make every ticket win.
    let rand = w.always_win(&mut params, addr(&b));
    let d = w.decide(&payment(&b, &params, 1, 1), "sess");
    assert_eq!(d.error, None);
    let q = queued_winner(&d.events).expect("winner queued");
    // The queued ticket carries what recomputes its rand from the persisted secret.
    let again = livepeer::pm::redeem::recipient_rand_of(&q, &w.secret);
    assert_eq!(recipient_rand_hash(again), q.recipient_rand_hash);
    assert_eq!(again, rand);
    w.append(d.events);

    w.advance_l1(params.expiration_block);
    assert!(
        w.proj.nonces.get(&params.recipient_rand_hash).is_none(),
        "purged at expiry"
    );
    let d = w.decide(&payment(&b, &params, 2, 1), "sess");
    assert_eq!(
        d.error.as_ref().map(|e| e.to_string()),
        Some("TicketParams expired".into())
    );
    assert!(!d.error.as_ref().is_some_and(PaymentError::is_fatal));
    assert!(d
        .events
        .iter()
        .any(|e| matches!(e, Event::WinningTicketQueued(_))));
    assert!(!d
        .events
        .iter()
        .any(|e| matches!(e, Event::BalanceCredited(_))));
    w.append(d.events);
    assert!(
        w.proj.nonces.seen(&params.recipient_rand_hash, 2),
        "the nonce was taken"
    );
}

#[test]
fn oversized_and_misshapen_wire_fields_are_typed_errors() {
    let (w, b, params) = setup();
    let mut p = payment(&b, &params, 1, 1);
    p.ticket_params.as_mut().unwrap().face_value = vec![1; 33];
    let e = w.decide(&p, "sess").error.unwrap();
    assert_eq!(
        e.to_string(),
        "invalid payment: faceValue is 33 bytes long; at most 32 bytes fit a uint256"
    );
    let mut p = payment(&b, &params, 1, 1);
    p.ticket_params.as_mut().unwrap().recipient = vec![1; 21];
    assert!(matches!(
        w.decide(&p, "sess").error,
        Some(PaymentError::Malformed(_))
    ));
    let mut p = payment(&b, &params, 1, 1);
    p.ticket_params.as_mut().unwrap().expiration_block = vec![1; 9];
    assert!(matches!(
        w.decide(&p, "sess").error,
        Some(PaymentError::Malformed(_))
    ));
}

#[test]
fn a_restarted_o_with_the_same_secret_accepts_params_issued_before() {
    let (w, b, params) = setup();
    let p = payment(&b, &params, 1, 1);
    let mut restarted = World::new();
    restarted.fund_b();
    assert_eq!(restarted.secret, w.secret);
    assert_eq!(restarted.decide(&p, "sess").error, None);
    restarted.secret = livepeer::pm::RandSecret([8; 32]);
    assert_eq!(
        restarted.decide(&p, "sess").error,
        Some(PaymentError::InvalidRecipientRand)
    );
}
