//! A B paying an O over several segments, both sides as event-sourced nodes: the B estimates the
//! fee, stages its credit, signs as many tickets as it needs; the O checks and credits them, then
//! debits the encoded pixels; the B completes its update with the same debit. After every
//! segment both views of the session's credit are equal, and credit left over carries forward.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure
mod pm_common;

use livepeer::events::{Account, Side};
use livepeer::pm::{
    accounting::{
        complete_update, decide_debit, price_rat, stage_update, sufficient_balance, SegmentFate,
    },
    fee::{estimate_fee, OutputProfile},
    sender::{create_payment, start_session},
    ticket_ev, TicketExpirationParams,
};
use num_rational::BigRational;
use pm_common::*;

#[test]
fn both_views_of_the_credit_agree_segment_after_segment() {
    let mut o = World::new();
    let mut b_node = World::new();
    let b = o.fund_b();
    b_node.fund_b();
    let params = o.issue(addr(&b), 5);
    b_node.b_validates(addr(&b), Some(&params)).unwrap();
    b_node.append(vec![start_session(&params, price())]);

    let o_acc = o_account(addr(&b), "o-sess");
    let b_acc = Account {
        side: Side::Broadcaster,
        counterparty: o.me(),
        session: "o-sess".into(),
    };
    let profiles = [
        OutputProfile {
            width: 426,
            height: 240,
            fps_num: 30,
            fps_den: 1,
        },
        OutputProfile {
            width: 640,
            height: 360,
            fps_num: 30,
            fps_den: 1,
        },
    ];
    let ev = ticket_ev(params.face_value, params.win_prob);
    let mut tickets_sent = 0;
    for seg in 0..6u64 {
        // B: estimate, stage, sign.
        let fee = estimate_fee(&profiles, 2_000, price(), None).unwrap();
        let staged = stage_update(&b_node.proj.balances, &b_acc, &fee, &ev).unwrap();
        b_node.append(staged.events.clone());
        let session = b_node.session(&params.recipient_rand_hash).unwrap().clone();
        let n = u32::try_from(staged.num_tickets).unwrap();
        let (payment, sent) =
            create_payment(&session, n, &b, addr(&b), TicketExpirationParams::default()).unwrap();
        if n > 0 {
            b_node.append(vec![sent]);
        }
        tickets_sent += n;
        // O: receive, check balance, transcode, debit the encoded pixels (a bit under the estimate).
        let d = o.decide(&payment, "o-sess");
        assert_eq!(d.error, None, "segment {seg}");
        o.append(d.events);
        assert!(sufficient_balance(
            &o.proj.balances,
            &o_acc,
            price(),
            o.cfg.ev
        ));
        let pixels = (426 * 240 + 640 * 360) * 60 - 1000 * seg;
        o.append(decide_debit(&o.proj.balances, &o_acc, price(), pixels).unwrap());
        // B: the result came back with the O's debit.
        let debit = price_rat(price()).unwrap() * BigRational::from_integer(pixels.into());
        let done = complete_update(
            &b_node.proj.balances,
            &b_acc,
            &staged,
            &SegmentFate::Received { debit },
        );
        b_node.append(done);

        let o_view = o.balance(&o_acc);
        let b_view = b_node.balance(&b_acc);
        assert_eq!(o_view, b_view, "segment {seg}");
        assert!(o_view >= BigRational::from_integer(0.into()));
    }
    // Credit carried over: fewer tickets than a fresh ceil(fee / ev) per segment would need.
    let per_segment = (estimate_fee(&profiles, 2_000, price(), None).unwrap() / &ev).ceil();
    assert!(
        BigRational::from_integer(tickets_sent.into())
            < per_segment * BigRational::from_integer(6.into())
    );
    assert_eq!(
        b_node
            .session(&params.recipient_rand_hash)
            .unwrap()
            .last_nonce,
        tickets_sent
    );
}
