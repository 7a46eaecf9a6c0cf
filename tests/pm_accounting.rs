//! Accounting formulas: the B's fee estimate and credit carried across segments
//! (StageUpdate / completeBalanceUpdate), the O's debit and sufficient-balance rule, max float
//! from chain facts (facts §3.9), and the ticket queue's redeemability and redemption plans.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use ethers_core::types::U256;
use livepeer::events::CreationRound;
use livepeer::events::{
    Account, Address, Event, FundsChange, Hash32, Price, RedemptionConfirmed, RedemptionFailed,
    RedemptionSubmitted, SenderFundsChanged, Side, Wei, WinningTicket,
};
use livepeer::pm::{
    accounting::{
        complete_update, decide_debit, stage_update, sufficient_balance, SegmentFate, Staged,
    },
    fee::{estimate_fee, estimate_pixels, OutputProfile},
    num::ratio_to_big,
    redeem::{is_non_retryable, plan_redemptions, Plan},
    NumError,
};
use num_rational::BigRational;
use pm_common::*;

fn rat(n: i64) -> BigRational {
    BigRational::from_integer(n.into())
}

fn p360(fps: u64) -> OutputProfile {
    OutputProfile {
        width: 640,
        height: 360,
        fps_num: fps,
        fps_den: 1,
    }
}

#[test]
fn fee_estimate_ceils_and_uses_probed_fps_for_passthrough() {
    // 2.0 s at 30 fps and 29.97 fps (ceil → 30), 2.1 s → 3 s.
    let px = |p, ms, src| estimate_pixels(&[p], ms, src);
    assert_eq!(px(p360(30), 2_000, None), (640 * 360 * 30 * 2).into());
    let ntsc = OutputProfile {
        fps_num: 30_000,
        fps_den: 1001,
        ..p360(0)
    };
    assert_eq!(px(ntsc, 2_100, None), (640 * 360 * 30 * 3).into());
    // Passthrough: the reference assumes 60 fps; with a probed 25 fps source we bill 25.
    assert_eq!(px(p360(0), 2_000, None), (640 * 360 * 60 * 2).into());
    assert_eq!(
        px(p360(0), 2_000, Some((25, 1))),
        (640 * 360 * 25 * 2).into()
    );
    let price = Price {
        price_per_unit: 1,
        pixels_per_unit: 1,
    };
    let fee = estimate_fee(&[p360(30), p360(0)], 2_000, price, None).unwrap();
    let pixels = rat(640 * 360 * 30 * 2 + 640 * 360 * 60 * 2);
    // × 1.02 as Go's SetFloat64(1.02) holds it: a hair above 102/100.
    assert!(fee > &pixels * BigRational::new(102.into(), 100.into()));
    assert!(fee < &pixels * BigRational::new(10201.into(), 10000.into()));
    assert!(estimate_fee(
        &[p360(30)],
        2_000,
        Price {
            price_per_unit: 1,
            pixels_per_unit: 0
        },
        None
    )
    .is_err());
}

/// The B's segment `staged` ended as `fate`: its update is completed in the log.
fn complete(w: &mut World, acc: &Account, staged: &Staged, fate: SegmentFate) {
    let events = complete_update(&w.proj.balances, acc, staged, &fate);
    w.append(events);
}

fn b_account() -> Account {
    Account {
        side: Side::Broadcaster,
        counterparty: Address([5; 20]),
        session: "o-sess".into(),
    }
}

#[test]
fn b_credit_carries_over_between_segments() {
    let mut w = World::new();
    let acc = b_account();
    let ev = rat(100);
    // Segment 1: nothing yet, fee 250 → 3 tickets (300 of credit).
    let s1 = stage_update(&w.proj.balances, &acc, &rat(250), &ev).unwrap();
    assert_eq!((s1.num_tickets, s1.new_credit.clone()), (3, rat(300)));
    w.append(s1.events.clone());
    complete(&mut w, &acc, &s1, SegmentFate::Received { debit: rat(240) });
    assert_eq!(w.balance(&acc), rat(60));
    // Segment 2: 60 left, fee 50 → min credit max(50, 100) = 100 → 1 ticket.
    let s2 = stage_update(&w.proj.balances, &acc, &rat(50), &ev).unwrap();
    assert_eq!((s2.existing.clone(), s2.num_tickets), (rat(60), 1));
    w.append(s2.events.clone());
    assert_eq!(w.balance(&acc), rat(0), "reserved while in flight");
    // Never sent: the reserve comes back.
    complete(&mut w, &acc, &s2, SegmentFate::Staged);
    assert_eq!(w.balance(&acc), rat(60));
    // Sent but no usable answer: the credit is spent.
    let s3 = stage_update(&w.proj.balances, &acc, &rat(50), &ev).unwrap();
    w.append(s3.events.clone());
    complete(&mut w, &acc, &s3, SegmentFate::CreditSpent);
    assert_eq!(w.balance(&acc), rat(0));
    // An overspend goes negative and is made up by the next stage.
    let s4 = stage_update(&w.proj.balances, &acc, &rat(100), &ev).unwrap();
    w.append(s4.events.clone());
    complete(&mut w, &acc, &s4, SegmentFate::Received { debit: rat(130) });
    assert_eq!(w.balance(&acc), rat(-30));
    let s5 = stage_update(&w.proj.balances, &acc, &rat(100), &ev).unwrap();
    assert_eq!(s5.num_tickets, 2, "ceil((100 + 30) / 100)");
}

#[test]
fn o_debits_price_times_pixels_and_checks_balance() {
    let mut w = World::new();
    let acc = Account {
        side: Side::Orchestrator,
        counterparty: Address([6; 20]),
        session: "s".into(),
    };
    let price = Price {
        price_per_unit: 3,
        pixels_per_unit: 2,
    };
    let ev = U256::from(1000);
    assert!(!sufficient_balance(&w.proj.balances, &acc, price, ev));
    assert!(sufficient_balance(
        &w.proj.balances,
        &acc,
        Price {
            price_per_unit: 0,
            pixels_per_unit: 1
        },
        ev
    ));
    w.append(vec![livepeer::pm::accounting::move_balance(
        &w.proj.balances,
        &acc,
        &rat(1500),
    )
    .unwrap()]);
    assert!(sufficient_balance(&w.proj.balances, &acc, price, ev));
    let ev_debit = decide_debit(&w.proj.balances, &acc, price, 1001).unwrap();
    assert!(
        matches!(&ev_debit[0], Event::BalanceDebited(c) if ratio_to_big(&c.amount) == BigRational::new(3003.into(), 2.into()))
    );
    w.append(ev_debit);
    assert_eq!(
        w.balance(&acc),
        BigRational::new((3000 - 3003).into(), 2.into())
    );
    assert!(!sufficient_balance(&w.proj.balances, &acc, price, ev));
}

fn change(sender: Address, change: FundsChange) -> Event {
    Event::SenderFundsChanged(SenderFundsChanged {
        sender,
        change,
        pos: Default::default(),
    })
}

#[test]
fn max_float_from_chain_facts() {
    let mut w = World::new(); // pool size 10
    let s = Address([3; 20]);
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), None, "unknown sender");
    w.fund(s, 500, 1000);
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), Some(U256::from(100)));
    w.append(vec![change(
        s,
        FundsChange::ReserveFunded {
            amount: Wei::from_u128(1000),
        },
    )]);
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), Some(U256::from(200)));
    // A winning ticket of ours paid 700: 500 from the deposit, 200 from the reserve (claimed by us).
    w.append(vec![change(
        s,
        FundsChange::WinningTicketTransfer {
            recipient: w.me(),
            amount: Wei::from_u128(700),
        },
    )]);
    let f = w.proj.funds.get(&s).unwrap().clone();
    assert_eq!(
        (
            f.deposit,
            f.reserve_remaining,
            f.claimed_in_round,
            f.claimed_by(&w.me())
        ),
        (
            Wei::ZERO,
            Wei::from_u128(1800),
            Wei::from_u128(200),
            U256::from(200)
        )
    );
    assert_eq!(f.claimed_by(&Address([8; 20])), U256::zero());
    // (1800 + 200) / 10 − 200 = 0
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), Some(U256::zero()));
    // Someone else's claim cannot push ours below zero.
    w.append(vec![change(
        s,
        FundsChange::WinningTicketTransfer {
            recipient: Address([8; 20]),
            amount: Wei::from_u128(1790),
        },
    )]);
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), Some(U256::zero()));
    w.new_round(ROUND + 1);
    assert_eq!(
        w.proj.funds.max_float(&s, &w.me()),
        Some(U256::from(1)),
        "claims reset each round: 10 / 10"
    );
    w.append(vec![change(
        s,
        FundsChange::Withdrawal {
            deposit: Wei::ZERO,
            reserve: Wei::ZERO,
        },
    )]);
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), Some(U256::zero()));
    w.pool_size(ROUND + 1, 0);
    w.fund(s, 1, 1000);
    assert_eq!(
        w.proj.funds.max_float(&s, &w.me()),
        Some(U256::zero()),
        "empty pool"
    );
}

fn winning(
    sender: Address,
    face: u128,
    nonce: u32,
    creation_round: u64,
    expiration_block: u64,
) -> WinningTicket {
    WinningTicket {
        recipient: Address([1; 20]),
        sender,
        face_value: Wei::from_u128(face),
        win_prob: Wei::from_u128(1),
        nonce,
        recipient_rand_hash: Hash32([4; 32]),
        creation: CreationRound {
            round: creation_round,
            block_hash: round_hash(),
        },
        expiration_block,
        sig: vec![0; 65],
        seed: Hash32::default(),
        price: price(),
        ticket_hash: Hash32([nonce as u8; 32]),
    }
}

/// The redemption plans for the queue at `gas_price` (the reference's 1.2e6 redeem gas).
fn plans_at(w: &World, gas_price: U256) -> Result<Vec<Plan>, NumError> {
    plan_redemptions(&w.proj.queue, &w.proj.funds, gas_price, 1_200_000)
}

#[test]
fn pending_redemptions_reduce_max_float_unless_deposit_covers_three_times() {
    // The reference's TestMaxFloat_MinDepositPendingRatio: pool 1, reserve 500, pending 100.
    let mut w = World::new();
    w.pool_size(ROUND, 1);
    let s = Address([3; 20]);
    let t = winning(s, 100, 1, ROUND, L1);
    w.append(vec![
        Event::WinningTicketQueued(Box::new(t.clone())),
        Event::RedemptionSubmitted(RedemptionSubmitted {
            ticket_hash: t.ticket_hash,
            tx_hash: Hash32([9; 32]),
        }),
    ]);
    for (deposit, want) in [(400, 500), (300, 500), (200, 400), (0, 400)] {
        w.fund(s, deposit, 500);
        assert_eq!(
            w.proj.funds.max_float(&s, &w.me()),
            Some(U256::from(want)),
            "deposit {deposit}"
        );
    }
    w.append(vec![Event::RedemptionConfirmed(RedemptionConfirmed {
        ticket_hash: t.ticket_hash,
        tx_hash: Hash32([9; 32]),
        block: 1,
    })]);
    assert_eq!(w.proj.funds.max_float(&s, &w.me()), Some(U256::from(500)));
}

#[test]
fn queue_redeems_only_after_expiry_and_within_validity() {
    let mut w = World::new();
    let s = Address([3; 20]);
    w.fund(s, 10u128.pow(18), 10u128.pow(19));
    w.new_round(ROUND);
    let t = winning(s, 10u128.pow(17), 1, ROUND, L1 + 40);
    w.append(vec![Event::WinningTicketQueued(Box::new(t.clone()))]);
    assert!(
        w.proj.queue.redeemable().is_empty(),
        "params not expired yet"
    );
    w.advance_l1(L1 + 39);
    assert!(w.proj.queue.redeemable().is_empty());
    w.advance_l1(L1 + 40);
    assert_eq!(w.proj.queue.redeemable().len(), 1);
    let plans = plans_at(&w, U256::from(1_000_000_000u64)).unwrap();
    assert_eq!(plans, vec![Plan::Redeem(t.clone())]);
    // Gas so high that the tx costs more than the ticket: a retryable skip.
    let plans = plans_at(&w, U256::from(10u64.pow(12))).unwrap();
    assert!(
        matches!(&plans[0], Plan::Skip(Event::RedemptionFailed(f)) if f.retryable && f.reason == "insufficient ticket face value for redeem tx cost")
    );
    w.append(vec![Event::RedemptionSubmitted(RedemptionSubmitted {
        ticket_hash: t.ticket_hash,
        tx_hash: Hash32([9; 32]),
    })]);
    assert!(w.proj.queue.redeemable().is_empty(), "in flight");
    assert_eq!(
        w.proj.queue.submitted().len(),
        1,
        "to look up after a restart"
    );
    w.append(vec![Event::RedemptionFailed(RedemptionFailed {
        ticket_hash: t.ticket_hash,
        reason: "timeout".into(),
        retryable: true,
    })]);
    assert_eq!(w.proj.queue.redeemable().len(), 1, "retry");
    w.new_round(ROUND + 1);
    assert_eq!(w.proj.queue.redeemable().len(), 1);
    w.new_round(ROUND + 2);
    assert!(
        w.proj.queue.redeemable().is_empty(),
        "creationRound + 2 > current round no longer holds"
    );
    assert!(is_non_retryable("ticket already used"));
    assert!(is_non_retryable("transaction failed txHash=0x1"));
    assert!(!is_non_retryable(
        "insufficient sender funds for redeem tx cost"
    ));
}

#[test]
fn idle_sessions_close_after_the_ttl() {
    use livepeer::pm::accounting::{move_balance, stale_sessions};
    let mut w = World::new();
    let acc = b_account();
    w.append(vec![move_balance(&w.proj.balances, &acc, &rat(5)).unwrap()]);
    let at = w.proj.balances.get(&acc).unwrap().last_update_ms;
    let ttl = 600_000;
    assert!(stale_sessions(&w.proj.balances, at + ttl, ttl).is_empty());
    let closing = stale_sessions(&w.proj.balances, at + ttl + 1, ttl);
    let left = w.proj.balances.balance(&acc);
    assert_eq!(
        closing,
        vec![Event::BalanceExpired(livepeer::events::BalanceExpired {
            account: acc.clone(),
            left,
        })],
        "closed with what it held"
    );
    w.append(closing);
    assert!(w.proj.balances.get(&acc).is_none());
}

#[test]
fn redemption_waits_when_the_sender_cannot_cover_the_tx() {
    let mut w = World::new();
    let s = Address([3; 20]);
    w.fund(s, 0, 0);
    let t = winning(s, 10u128.pow(17), 1, ROUND, L1);
    w.append(vec![Event::WinningTicketQueued(Box::new(t))]);
    let plans = plans_at(&w, U256::from(1_000_000_000u64)).unwrap();
    assert!(matches!(&plans[0], Plan::Skip(Event::RedemptionFailed(f))
        if f.retryable && f.reason == "insufficient sender funds for redeem tx cost"));
}
