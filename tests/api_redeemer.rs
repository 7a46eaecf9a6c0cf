//! The O → redeemer hand-off on the wire: a winning ticket the O queued becomes a `net.Ticket`
//! shaped like go-livepeer's (no seed, no expiration params inside the ticket params), and the
//! redeemer side parses back the same ticket hash, a signature that verifies and the
//! recipientRand that matches its hash. Max-float messages round-trip; missing parts and
//! oversized integers are typed errors.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use ethers_core::types::U256;
use livepeer::api::proto::net;
use livepeer::api::redeemer::{
    max_float_from_update, max_float_request, max_float_sender, max_float_update,
    queue_ticket_request, queued_ticket_from_proto, RedeemerWireError,
};
use livepeer::pm::{recipient_rand_hash, redeem::recipient_rand_of, sig};
use pm_common::*;
use prost::Message;

#[test]
fn a_queued_winner_reaches_the_redeemer_intact() {
    let (w, b, mut params) = funded(5);
    // Every ticket wins.
    let rand = w.always_win(&mut params, addr(&b));
    let d = w.decide(&payment(&b, &params, 1, 1), "sess");
    assert_eq!(d.error, None);
    let q = queued_winner(&d.events).unwrap();

    let req = queue_ticket_request(&q, recipient_rand_of(&q, &w.secret));
    let tp = req.ticket_params.as_ref().unwrap();
    assert!(
        tp.seed.is_empty(),
        "no seed, as go-livepeer's redeemer client"
    );
    assert_eq!(tp.expiration_params, None);
    assert_eq!(req.expiration_params.as_ref().unwrap().creation_round, 100);

    let wire = net::Ticket::decode(req.encode_to_vec().as_slice()).unwrap();
    let back = queued_ticket_from_proto(&wire).unwrap();
    assert_eq!(back.ticket.hash(), q.ticket_hash);
    assert!(sig::verify(&q.sender, &q.ticket_hash.0, &back.sig));
    assert_eq!(back.recipient_rand, rand);
    assert_eq!(
        recipient_rand_hash(back.recipient_rand),
        q.recipient_rand_hash
    );
    assert_eq!(back.ticket.params_expiration_block, q.expiration_block);

    let mut no_sender = wire.clone();
    no_sender.sender_params = None;
    assert_eq!(
        queued_ticket_from_proto(&no_sender),
        Err(RedeemerWireError::NoSenderParams)
    );
    let mut no_params = wire.clone();
    no_params.ticket_params = None;
    assert_eq!(
        queued_ticket_from_proto(&no_params),
        Err(RedeemerWireError::NoTicketParams)
    );
    let mut long_rand = wire;
    long_rand.recipient_rand = vec![1; 33];
    assert!(matches!(
        queued_ticket_from_proto(&long_rand),
        Err(RedeemerWireError::Num(_))
    ));
}

#[test]
fn max_float_messages_round_trip() {
    let b = wallet(2);
    assert_eq!(max_float_sender(&max_float_request(addr(&b))), Ok(addr(&b)));
    assert!(max_float_sender(&net::MaxFloatReq {
        sender: vec![1; 19]
    })
    .is_err());
    for v in [U256::zero(), U256::from(10u64.pow(18)), U256::MAX] {
        assert_eq!(max_float_from_update(&max_float_update(v)), Ok(v));
    }
    assert!(max_float_update(U256::zero()).max_float.is_empty());
    assert!(max_float_from_update(&net::MaxFloatUpdate {
        max_float: vec![1; 33]
    })
    .is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        if let Ok(t) = net::Ticket::decode(bytes.as_slice()) {
            let _ = queued_ticket_from_proto(&t);
        }
        if let Ok(u) = net::MaxFloatUpdate::decode(bytes.as_slice()) {
            let _ = max_float_from_update(&u);
        }
    }
}
