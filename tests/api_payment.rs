//! The `Livepeer-Payment` header end to end: a payment signed on the B side becomes a header,
//! the O decodes it and credits exactly the tickets' EV (through the pure decision and through
//! the node's `Payments` desk); headers and `OrchestratorInfo` payment parts round-trip; and no input — bytes,
//! strings, base64 of anything, a valid header with a byte flipped — makes the decoder or the
//! decision panic.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use livepeer::api::payment::{
    decode_payment_bytes, decode_payment_header, encode_payment_bytes, encode_payment_header,
    PaymentHeaderError,
};
use livepeer::api::proto::net;
use livepeer::api::ticket_params::{
    payment_info_from_proto, set_payment_info, InfoError, PaymentInfo,
};
use livepeer::events::Event;
use livepeer::log::MemoryLog;
use livepeer::pm::{
    num::ratio_to_big,
    wire::{PriceInfo, WireExpirationParams, WirePayment, WireSenderParams, WireTicketParams},
};
use num_rational::BigRational;
use pm_common::*;
use proptest::prelude::*;
use prost::Message;
use std::sync::Arc;

fn credited(events: &[Event]) -> Option<BigRational> {
    events.iter().find_map(|e| match e {
        Event::BalanceCredited(c) => Some(ratio_to_big(&c.amount)),
        _ => None,
    })
}

#[test]
fn a_signed_payment_through_the_header_is_credited_by_the_o() {
    let (w, b, params) = funded(5);
    let pay = payment(&b, &params, 1, 3);

    let header = encode_payment_header(&pay);
    // Field 1 (ticket_params, LEN) first: 0x0a 0x.. is "C" then a letter in base64.
    assert!(header.starts_with('C'), "{header}");
    let decoded = decode_payment_header(&header).unwrap();
    assert_eq!(decoded, pay);
    // The B leaves ticket_params.expiration_params (field 7) unset, as go-livepeer's does.
    assert_eq!(
        decoded.ticket_params.as_ref().unwrap().expiration_params,
        None
    );
    assert!(decoded.expiration_params.is_some());

    let d = w.decide(&decoded, "sess");
    assert_eq!(d.error, None);
    let ev = ev_of(&params, addr(&b));
    assert_eq!(
        credited(&d.events),
        Some(ev * BigRational::from_integer(3.into()))
    );
}

#[tokio::test]
async fn the_service_credits_a_decoded_header() {
    let (w, b, params) = funded(9);
    let svc = w.desk(Arc::new(MemoryLog::in_memory().unwrap())).await;
    let header = encode_payment_header(&payment(&b, &params, 1, 2));
    let r = svc
        .receive_payment(2, &decode_payment_header(&header).unwrap(), "s", true)
        .await
        .unwrap();
    assert_eq!(r.error, None);
    // The same header again: every nonce is seen, nothing more is credited.
    let again = svc
        .receive_payment(3, &decode_payment_header(&header).unwrap(), "s", true)
        .await
        .unwrap();
    assert!(again.error.is_some());
    let acc = o_account(addr(&b), "s");
    let ev = ev_of(&params, addr(&b));
    let bal = svc.with_projections(|p| ratio_to_big(&p.balances.balance(&acc)));
    assert_eq!(bal, ev * BigRational::from_integer(2.into()));
}

#[test]
fn zero_tickets_and_offchain_headers() {
    let (w, b, params) = funded(5);
    // n = 0: our B sends only sender and expected_price, as go-livepeer's `genPayment` does.
    let zero = payment(&b, &params, 1, 0);
    assert_eq!(
        zero,
        WirePayment {
            sender: addr(&b).0.to_vec(),
            expected_price: Some(PriceInfo {
                price_per_unit: 1200,
                pixels_per_unit: 1,
            }),
            ..Default::default()
        }
    );
    let header = encode_payment_header(&zero);
    let mut bytes = vec![0x12, 20];
    bytes.extend_from_slice(&addr(&b).0);
    bytes.extend_from_slice(&[0x2a, 5, 0x08, 0xb0, 0x09, 0x10, 1]);
    assert_eq!(decode_b64(&header), bytes);
    assert_eq!(
        net::Payment::decode(decode_b64(&header).as_slice()).unwrap(),
        net::Payment {
            sender: addr(&b).0.to_vec(),
            expected_price: Some(net::PriceInfo {
                price_per_unit: 1200,
                pixels_per_unit: 1,
                ..Default::default()
            }),
            ..Default::default()
        }
    );
    let d = w.decide(&decode_payment_header(&header).unwrap(), "s");
    assert_eq!(d.error, None);
    // Offchain: the empty string, an empty payment, nothing to decide.
    assert_eq!(encode_payment_header(&WirePayment::default()), "");
    let d = w.decide(&decode_payment_header("").unwrap(), "s");
    assert_eq!(d.error, None);
    assert!(d.events.is_empty());
}

fn decode_b64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn typed_errors_for_bad_base64_and_bad_protobuf() {
    assert!(matches!(
        decode_payment_header("not base64!"),
        Err(PaymentHeaderError::Base64(_))
    ));
    // Valid base64 of a truncated message: field 2, length 20, 1 byte.
    assert!(matches!(
        decode_payment_bytes(&[0x12, 20, 1]),
        Err(PaymentHeaderError::Protobuf(_))
    ));
    // Invalid UTF-8 in PriceInfo.constraint (a string field) is a protobuf error, as in Go.
    assert!(matches!(
        decode_payment_bytes(&[0x2a, 3, 0x22, 1, 0xff]),
        Err(PaymentHeaderError::Protobuf(_))
    ));
    let e = decode_payment_header("%%%%").unwrap_err();
    assert_eq!(e.http_status(), 402);
    assert!(e.to_string().starts_with("invalid base64"), "{e}");
}

#[test]
fn orchestrator_info_payment_part_round_trips_and_is_accepted_by_the_b() {
    let (w, b, params) = funded(5);
    let pay = PaymentInfo {
        ticket_params: Some(params.clone()),
        price: Some(price()),
    };
    let mut info = net::OrchestratorInfo {
        transcoder: "https://o:8935".into(),
        ..Default::default()
    };
    set_payment_info(&mut info, &pay);
    // The O sends the creation round inside ticket_params (field 7).
    assert!(info
        .ticket_params
        .as_ref()
        .unwrap()
        .expiration_params
        .is_some());
    let bytes = info.encode_to_vec();
    let back =
        payment_info_from_proto(&net::OrchestratorInfo::decode(bytes.as_slice()).unwrap()).unwrap();
    assert_eq!(back, pay);
    w.b_validates(addr(&b), back.ticket_params.as_ref())
        .unwrap();

    // Offchain: no params, no price.
    let mut off = net::OrchestratorInfo::default();
    let none = PaymentInfo {
        ticket_params: None,
        price: None,
    };
    set_payment_info(&mut off, &none);
    assert_eq!(payment_info_from_proto(&off).unwrap(), none);

    // A zero pixelsPerUnit and a short recipient are typed errors.
    let mut bad = info.clone();
    bad.price_info.as_mut().unwrap().pixels_per_unit = 0;
    assert_eq!(
        payment_info_from_proto(&bad),
        Err(InfoError::PixelsPerUnitZero)
    );
    let mut bad = info;
    bad.ticket_params.as_mut().unwrap().recipient.pop();
    assert!(matches!(
        payment_info_from_proto(&bad),
        Err(InfoError::TicketParams(_))
    ));
}

fn wire_payment() -> impl Strategy<Value = WirePayment> {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..40);
    let exp = (any::<i64>(), bytes()).prop_map(|(r, h)| WireExpirationParams {
        creation_round: r,
        creation_round_block_hash: h,
    });
    let tp = (
        bytes(),
        bytes(),
        bytes(),
        bytes(),
        bytes(),
        bytes(),
        proptest::option::of(exp.clone()),
    )
        .prop_map(|(a, b, c, d, e, f, g)| WireTicketParams {
            recipient: a,
            face_value: b,
            win_prob: c,
            recipient_rand_hash: d,
            seed: e,
            expiration_block: f,
            expiration_params: g,
        });
    let sp = (any::<u32>(), bytes()).prop_map(|(n, s)| WireSenderParams {
        sender_nonce: n,
        sig: s,
    });
    let price = (any::<i64>(), any::<i64>()).prop_map(|(a, b)| PriceInfo {
        price_per_unit: a,
        pixels_per_unit: b,
    });
    (
        proptest::option::of(tp),
        bytes(),
        proptest::option::of(exp),
        proptest::collection::vec(sp, 0..4),
        proptest::option::of(price),
    )
        .prop_map(|(a, b, c, d, e)| WirePayment {
            ticket_params: a,
            sender: b,
            expiration_params: c,
            ticket_sender_params: d,
            expected_price: e,
        })
}

/// Decodes and, if that works, lets the O decide: neither may panic.
fn o_path(w: &World, header: &str) {
    if let Ok(p) = decode_payment_header(header) {
        let _ = w.decide(&p, "s");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn headers_round_trip(p in wire_payment()) {
        prop_assert_eq!(decode_payment_header(&encode_payment_header(&p)).unwrap(), p.clone());
        prop_assert_eq!(decode_payment_bytes(&encode_payment_bytes(&p)).unwrap(), p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let w = World::new();
        let _ = decode_payment_bytes(&bytes);
        use base64::Engine;
        o_path(&w, &base64::engine::general_purpose::STANDARD.encode(&bytes));
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,200}", b64 in "[A-Za-z0-9+/=\r\n]{0,200}") {
        let w = World::new();
        o_path(&w, &s);
        o_path(&w, &b64);
    }

    #[test]
    fn arbitrary_orchestrator_info_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(info) = net::OrchestratorInfo::decode(bytes.as_slice()) {
            let _ = payment_info_from_proto(&info);
        }
    }

    #[test]
    fn arbitrary_payments_through_the_o_never_panic(p in wire_payment()) {
        let w = World::new();
        o_path(&w, &encode_payment_header(&p));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_valid_header_with_a_byte_changed_never_panics(pos in any::<prop::sample::Index>(), x in any::<u8>()) {
        let (w, b, params) = funded(5);
        let mut bytes = encode_payment_bytes(&payment(&b, &params, 1, 1));
        let i = pos.index(bytes.len());
        bytes[i] ^= x;
        use base64::Engine;
        o_path(&w, &base64::engine::general_purpose::STANDARD.encode(&bytes));
    }
}
