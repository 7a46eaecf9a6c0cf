//! Properties over arbitrary interleavings of payments (duplicates included), segments,
//! redemptions and chain events, run through the real in-memory log:
//! balances = Σ credits − Σ debits; no ticket credited twice; max float = facts §3.9 recomputed
//! from the raw chain events; nothing redeemable before expiry or after the validity window;
//! replaying every prefix of the log gives the live projections. Tickets are pre-signed.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use livepeer::events::{
    Account, Address, BlockObserved, Envelope, Event, FundsChange, Hash32, PoolSizeChanged,
    RedemptionConfirmed, RedemptionFailed, RedemptionSubmitted, RoundInitialized,
    SenderFundsChanged, SenderFundsObserved, Side, TicketOutcome, Wei,
};
use livepeer::log::{Expect, MemoryLog};
use livepeer::pm::{
    accounting::decide_debit,
    num::{ratio_to_big, wei_to_u256},
    receive::{decide_payment, PaymentInput, Recipient},
};
use livepeer::projections::{payments::PaymentProjections, ticket_queue::TICKET_VALIDITY_PERIOD};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use pm_common::{
    fixture::{fixture, NONCES},
    model::model_max_float,
    *,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Clone, Debug)]
enum Op {
    Pay {
        params: usize,
        nonces: Vec<u32>,
        corrupt: bool,
        twice: bool,
    },
    Segment {
        sender: usize,
        pixels: u64,
    },
    Block {
        advance: u64,
    },
    Round,
    Observe {
        sender: usize,
        deposit: u64,
        reserve: u64,
        withdraw: u64,
    },
    Change {
        sender: usize,
        kind: u8,
        amount: u64,
        ours: bool,
    },
    Pool {
        size: u64,
    },
    Submit {
        pick: usize,
    },
    Outcome {
        pick: usize,
        kind: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..6usize, prop::collection::vec(1..=NONCES, 1..4), any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(params, nonces, corrupt, twice)| Op::Pay { params, corrupt: corrupt && nonces.len() > 1, nonces, twice }),
        2 => (0..2usize, 0..5_000_000u64).prop_map(|(sender, pixels)| Op::Segment { sender, pixels }),
        3 => (0..25u64).prop_map(|advance| Op::Block { advance }),
        1 => Just(Op::Round),
        1 => (0..2usize, 0..10u64, 0..10u64, 0..4u64).prop_map(|(sender, deposit, reserve, withdraw)|
            Op::Observe { sender, deposit: deposit * 10u64.pow(17), reserve: reserve * 10u64.pow(18), withdraw }),
        2 => (0..2usize, 0..6u8, 0..30u64, any::<bool>()).prop_map(|(sender, kind, amount, ours)|
            Op::Change { sender, kind, amount: amount * 10u64.pow(17), ours }),
        1 => (0..4u64).prop_map(|size| Op::Pool { size }),
        2 => (0..8usize).prop_map(|pick| Op::Submit { pick }),
        2 => (0..8usize, 0..3u8).prop_map(|(pick, kind)| Op::Outcome { pick, kind }),
    ]
}

struct Run {
    log: MemoryLog,
    live: PaymentProjections,
    snapshots: Vec<(u64, PaymentProjections)>,
    l1: u64,
    round: u64,
}

impl Run {
    fn append(&mut self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let stamped = events.into_iter().map(|e| (1, e)).collect();
        let receipt = self.log.append_blocking(stamped, Expect::Any).unwrap();
        for env in &receipt.envelopes {
            self.live.apply(env);
        }
        self.snapshots.push((self.live.next_seq, self.live.clone()));
    }
}

fn o_account(sender: Address) -> Account {
    Account {
        side: Side::Orchestrator,
        counterparty: sender,
        session: "s".into(),
    }
}

fn step(run: &mut Run, op: &Op) {
    let f = fixture();
    match op {
        Op::Pay {
            params,
            nonces,
            corrupt,
            twice,
        } => {
            let mut p = f.payments[&(*params, nonces[0])].clone();
            for n in &nonces[1..] {
                p.ticket_sender_params
                    .push(f.payments[&(*params, *n)].ticket_sender_params[0].clone());
            }
            if *corrupt {
                p.ticket_sender_params[0].sig[64] = 29;
            }
            for _ in 0..if *twice { 2 } else { 1 } {
                let d = decide_payment(
                    run.live.view(),
                    Recipient {
                        address: f.o,
                        secret: &f.secret,
                        seed_tag: None,
                    },
                    PaymentInput {
                        payment: &p,
                        session: "s",
                        last_l1_block: run.l1,
                        last_initialized_round: run.round,
                        recipient_active: true,
                        checked: None,
                    },
                );
                run.append(d.events);
            }
        }
        Op::Segment { sender, pixels } => {
            let acc = o_account(f.senders[*sender]);
            if let Some(price) = run.live.balances.fixed_price(&acc) {
                let ev = decide_debit(&run.live.balances, &acc, price, *pixels).unwrap();
                run.append(ev);
            }
        }
        Op::Block { advance } => {
            run.l1 += advance;
            run.append(vec![Event::BlockObserved(BlockObserved {
                number: run.l1,
                hash: Hash32([3; 32]),
                parent: Hash32([2; 32]),
                l1_number: run.l1,
            })]);
        }
        Op::Round => {
            run.round += 1;
            run.append(vec![Event::RoundInitialized(RoundInitialized {
                round: run.round,
                block_hash: round_hash(),
                l1_block: run.l1,
                pos: Default::default(),
            })]);
        }
        Op::Observe {
            sender,
            deposit,
            reserve,
            withdraw,
        } => {
            run.append(vec![Event::SenderFundsObserved(SenderFundsObserved {
                sender: f.senders[*sender],
                deposit: Wei::from_u128((*deposit).into()),
                reserve_remaining: Wei::from_u128((*reserve).into()),
                claimed_in_round: Wei::ZERO,
                claimed_by_us: Wei::ZERO,
                withdraw_round: if *withdraw == 0 {
                    0
                } else {
                    run.round + withdraw
                },
                block: run.l1,
            })]);
        }
        Op::Change {
            sender,
            kind,
            amount,
            ours,
        } => {
            let amount = Wei::from_u128((*amount).into());
            let change = match kind {
                0 => FundsChange::DepositFunded { amount },
                1 => FundsChange::ReserveFunded { amount },
                2 => FundsChange::Withdrawal {
                    deposit: amount,
                    reserve: amount,
                },
                3 => FundsChange::WinningTicketTransfer {
                    recipient: if *ours { f.o } else { Address([7; 20]) },
                    amount,
                },
                4 => FundsChange::Unlock {
                    start_round: run.round,
                    end_round: run.round + 3,
                },
                _ => FundsChange::UnlockCancelled,
            };
            run.append(vec![Event::SenderFundsChanged(SenderFundsChanged {
                sender: f.senders[*sender],
                change,
                pos: Default::default(),
            })]);
        }
        Op::Pool { size } => run.append(vec![Event::PoolSizeChanged(PoolSizeChanged {
            round: run.round,
            size: *size,
        })]),
        Op::Submit { pick } => {
            let r = run.live.queue.redeemable();
            if let Some(q) = r.get(pick % r.len().max(1)) {
                let h = q.ticket.ticket_hash;
                run.append(vec![Event::RedemptionSubmitted(RedemptionSubmitted {
                    ticket_hash: h,
                    tx_hash: Hash32([5; 32]),
                })]);
            }
        }
        Op::Outcome { pick, kind } => {
            let in_flight: Vec<Hash32> = run
                .live
                .queue
                .iter()
                .filter(|(_, q)| {
                    matches!(
                        q.state,
                        livepeer::projections::ticket_queue::QueueState::Submitted { .. }
                    )
                })
                .map(|(h, _)| *h)
                .collect();
            if let Some(h) = in_flight.get(pick % in_flight.len().max(1)) {
                let ev = match kind {
                    0 => Event::RedemptionConfirmed(RedemptionConfirmed {
                        ticket_hash: *h,
                        tx_hash: Hash32([5; 32]),
                        block: run.l1,
                    }),
                    1 => Event::RedemptionFailed(RedemptionFailed {
                        ticket_hash: *h,
                        reason: "timeout".into(),
                        retryable: true,
                    }),
                    _ => Event::RedemptionFailed(RedemptionFailed {
                        ticket_hash: *h,
                        reason: "ticket already used".into(),
                        retryable: false,
                    }),
                };
                run.append(vec![ev]);
            }
        }
    }
}

fn check(run: &Run) {
    let f = fixture();
    let log: Vec<Envelope> = run
        .log
        .read(0, u64::MAX)
        .map(|r| r.unwrap().envelope)
        .collect();
    // Balance = Σ credits − Σ debits, per account.
    let mut sums: BTreeMap<Account, BigRational> = BTreeMap::new();
    let mut credited = BTreeSet::new();
    for env in &log {
        match &env.event {
            Event::BalanceCredited(c) => {
                *sums
                    .entry(c.account.clone())
                    .or_insert_with(BigRational::zero) += ratio_to_big(&c.amount)
            }
            Event::BalanceDebited(c) => {
                *sums
                    .entry(c.account.clone())
                    .or_insert_with(BigRational::zero) -= ratio_to_big(&c.amount)
            }
            Event::TicketReceived(t) => {
                if let TicketOutcome::Accepted { ev, .. } = &t.outcome {
                    if !ev.numer.is_empty() {
                        assert!(
                            credited.insert(t.ticket_hash),
                            "ticket {:?} credited twice",
                            t.ticket_hash
                        );
                    }
                }
            }
            _ => {}
        }
    }
    for (acc, sum) in &sums {
        assert_eq!(
            &ratio_to_big(&run.live.balances.balance(acc)),
            sum,
            "{acc:?}"
        );
    }
    // Max float.
    for s in &f.senders {
        let got =
            run.live.funds.max_float(s, &f.o).map(|v| {
                BigInt::from_bytes_be(num_bigint::Sign::Plus, &livepeer::pm::num::be32(v))
            });
        assert_eq!(got, model_max_float(&log, f.o, *s), "max float of {s}");
    }
    // Redeemability.
    let max_l1 = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::BlockObserved(b) => Some(b.l1_number),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let max_round = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::RoundInitialized(r) => Some(r.round),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    for q in run.live.queue.redeemable() {
        assert!(
            q.ticket.expiration_block <= max_l1,
            "redeemable before params expired"
        );
        assert!(
            q.ticket.creation.round + TICKET_VALIDITY_PERIOD > max_round,
            "redeemable after the validity window"
        );
        let _ = wei_to_u256(&q.ticket.face_value);
    }
    // Replay of every prefix equals the live state at that point.
    let mut replay = PaymentProjections::default();
    let mut snaps = run.snapshots.iter().peekable();
    for env in &log {
        replay.apply(env);
        if let Some((seq, snap)) = snaps.peek() {
            if *seq == replay.next_seq {
                assert_eq!(&replay, snap, "replay diverges at seq {seq}");
                snaps.next();
            }
        }
    }
    assert!(snaps.next().is_none());
    assert_eq!(replay, run.live);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn payment_accounting_invariants(ops in prop::collection::vec(op(), 1..50)) {
        let f = fixture();
        let mut run = Run { log: MemoryLog::in_memory().unwrap(), live: PaymentProjections::default(), snapshots: Vec::new(), l1: L1, round: ROUND };
        run.append(vec![
            Event::PoolSizeChanged(PoolSizeChanged { round: ROUND, size: 2 }),
            Event::BlockObserved(BlockObserved { number: L1, hash: Hash32([1; 32]), parent: Hash32([0; 32]), l1_number: L1 }),
            Event::RoundInitialized(RoundInitialized { round: ROUND, block_hash: round_hash(), l1_block: L1, pos: Default::default() }),
        ]);
        for s in &f.senders {
            run.append(vec![Event::SenderFundsObserved(SenderFundsObserved { sender: *s, deposit: Wei::from_u128(10u128.pow(18)), reserve_remaining: Wei::from_u128(10u128.pow(19)), claimed_in_round: Wei::ZERO, claimed_by_us: Wei::ZERO, withdraw_round: 0, block: L1 })]);
        }
        for op in &ops {
            step(&mut run, op);
        }
        check(&run);
    }
}

/// One payment made of pre-signed tickets under params `params` with `nonces`.
fn build_payment(params: usize, nonces: &[u32]) -> livepeer::pm::wire::WirePayment {
    let f = fixture();
    let mut p = f.payments[&(params, nonces[0])].clone();
    for n in &nonces[1..] {
        p.ticket_sender_params
            .push(f.payments[&(params, *n)].ticket_sender_params[0].clone());
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 100, ..ProptestConfig::default() })]

    /// Through the service, with every payment submitted by 1–4 concurrent tasks at once:
    /// no ticket is credited twice, balances equal Σ credits − Σ debits, and a replay of the log
    /// equals the live projections.
    #[test]
    fn concurrent_duplicates_through_the_service(
        batches in prop::collection::vec((0..6usize, prop::collection::vec(1..=NONCES, 1..3), 1..5usize, 0..3u64), 1..12)
    ) {
        let f = fixture();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let svc = Arc::new(livepeer::node::payments::Payments::open(log.clone(), f.o, f.secret.clone()).unwrap());
        rt.block_on(async {
            let mut setup = vec![
                Event::PoolSizeChanged(PoolSizeChanged { round: ROUND, size: 2 }),
                Event::BlockObserved(BlockObserved { number: L1, hash: Hash32([1; 32]), parent: Hash32([0; 32]), l1_number: L1 }),
            ];
            for s in &f.senders {
                setup.push(Event::SenderFundsObserved(SenderFundsObserved { sender: *s, deposit: Wei::from_u128(10u128.pow(18)), reserve_remaining: Wei::from_u128(10u128.pow(19)), claimed_in_round: Wei::ZERO, claimed_by_us: Wei::ZERO, withdraw_round: 0, block: L1 }));
            }
            svc.append(1, setup).await.unwrap();
            let mut l1 = L1;
            for (params, nonces, copies, advance) in &batches {
                let p = build_payment(*params, nonces);
                let mut set = tokio::task::JoinSet::new();
                for _ in 0..*copies {
                    let (svc, p) = (svc.clone(), p.clone());
                    set.spawn(async move { svc.receive_payment(2, &p, "s", true).await.unwrap() });
                }
                // A block lands concurrently with the payments.
                l1 += advance;
                svc.append(3, vec![Event::BlockObserved(BlockObserved { number: l1, hash: Hash32([2; 32]), parent: Hash32([1; 32]), l1_number: l1 })]).await.unwrap();
                while let Some(r) = set.join_next().await {
                    r.unwrap();
                }
            }
        });
        let events: Vec<Envelope> = log.read(0, u64::MAX).map(|r| r.unwrap().envelope).collect();
        let mut credited = BTreeSet::new();
        let mut sums: BTreeMap<Account, BigRational> = BTreeMap::new();
        let mut replay = PaymentProjections::default();
        for env in &events {
            replay.apply(env);
            match &env.event {
                Event::TicketReceived(t) => {
                    if let TicketOutcome::Accepted { ev, .. } = &t.outcome {
                        if !ev.numer.is_empty() {
                            prop_assert!(credited.insert(t.ticket_hash), "ticket credited twice");
                        }
                    }
                }
                Event::BalanceCredited(c) => *sums.entry(c.account.clone()).or_insert_with(BigRational::zero) += ratio_to_big(&c.amount),
                Event::BalanceDebited(c) => *sums.entry(c.account.clone()).or_insert_with(BigRational::zero) -= ratio_to_big(&c.amount),
                _ => {}
            }
        }
        let live = svc.with_projections(PaymentProjections::clone);
        for (acc, sum) in &sums {
            prop_assert_eq!(&ratio_to_big(&live.balances.balance(acc)), sum);
        }
        prop_assert_eq!(replay, live);
    }
}
