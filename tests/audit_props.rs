//! Property tests of the audit over random interleavings, every event made by the real
//! decisions (`pm_common`'s World): payments (winning or not, some replayed), debits, session
//! closes and expiries, redemptions confirmed in full or in part (an underfunded sender), reverted
//! or retried, chain reorgs undoing a confirmation, and restarts of the live projections from
//! their checkpoints. At every prefix the audit explains every difference and its ledgers are the
//! balances projection; at the end a replay from seq 0 equals the live projections byte for byte.
#![allow(clippy::unwrap_used)]

mod pm_common;

use livepeer::audit::Auditor;
use livepeer::commands::transactions::{mined, signed};
use livepeer::events::{
    Address, BlockReverted, ChainPos, Event, FundsChange, Hash32, SenderFundsChanged,
    SenderFundsObserved, TxMined, TxPurpose, TxSigned, Wei,
};
use livepeer::pm::{
    accounting::{decide_debit, stale_sessions},
    num::{ratio_to_big, u256_to_wei, wei_to_u256},
    wire::WirePayment,
};
use livepeer::projections::Projections;
use pm_common::{addr, o_account, payment, price, World};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Pay {
        session: u8,
        tickets: u32,
        win: bool,
    },
    Replay,
    Debit {
        session: u8,
        pixels: u64,
    },
    Close {
        session: u8,
    },
    Expire,
    Redeem {
        outcome: u8,
    },
    Drain,
    Reorg,
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3, 1u32..4, any::<bool>()).prop_map(|(session, tickets, win)| Op::Pay { session, tickets, win }),
        1 => Just(Op::Replay),
        3 => (0u8..3, 1u64..100_000).prop_map(|(session, pixels)| Op::Debit { session, pixels }),
        1 => (0u8..3).prop_map(|session| Op::Close { session }),
        1 => Just(Op::Expire),
        3 => (0u8..4).prop_map(|outcome| Op::Redeem { outcome }),
        1 => Just(Op::Drain),
        1 => Just(Op::Reorg),
        1 => Just(Op::Restart),
    ]
}

fn funded(sender: Address, block: u64) -> Event {
    Event::SenderFundsObserved(SenderFundsObserved {
        sender,
        deposit: Wei::from_u128(10u128.pow(18)),
        reserve_remaining: Wei::from_u128(10u128.pow(19)),
        claimed_in_round: Wei::ZERO,
        claimed_by_us: Wei::ZERO,
        withdraw_round: 0,
        block,
    })
}

fn block_hash(n: u64) -> Hash32 {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(&n.to_be_bytes());
    Hash32(h)
}

struct Run {
    w: World,
    b: ethers_signers::LocalWallet,
    live: Projections,
    audited: usize,
    auditor: Auditor,
    payments: Vec<(WirePayment, String)>,
    /// Winners not yet redeemed: (ticket hash, face value).
    queued: Vec<(Hash32, Wei)>,
    /// The last confirmation: (ticket, tx, block, face value).
    confirmed: Option<(Hash32, Hash32, u64, Wei)>,
    seed: u64,
    nonce: u64,
    block: u64,
    now: u64,
}

impl Run {
    fn new() -> Run {
        let mut w = World::new();
        let b = w.fund_b();
        w.new_round(pm_common::ROUND);
        let mut live = Projections::default();
        for e in &w.log {
            live.apply(e);
        }
        Run {
            w,
            b,
            live,
            audited: 0,
            auditor: Auditor::default(),
            payments: Vec::new(),
            queued: Vec::new(),
            confirmed: None,
            seed: 1,
            nonce: 0,
            block: 6_000,
            now: 0,
        }
    }

    fn append(&mut self, events: Vec<Event>) {
        let out = self.w.append(events);
        for env in &out {
            self.live.apply(env);
        }
        for e in &out {
            if let Event::WinningTicketQueued(t) = &e.event {
                self.queued.push((t.ticket_hash, t.face_value));
            }
        }
    }

    fn transfer(&mut self, amount: Wei) {
        let me = self.w.me();
        self.append(vec![Event::SenderFundsChanged(SenderFundsChanged {
            sender: addr(&self.b),
            change: FundsChange::WinningTicketTransfer {
                recipient: me,
                amount,
            },
            pos: ChainPos {
                block: self.block,
                block_hash: block_hash(self.block),
                log_index: 0,
            },
        })]);
    }

    /// The transfer this contract version makes: the face value, or what the sender has.
    fn pay(&mut self, face: Wei) {
        let sender = addr(&self.b);
        let f = self.w.proj.funds.get(&sender).unwrap();
        let alloc = self.w.proj.funds.reserve_alloc(&sender, &self.w.me());
        let have = wei_to_u256(&f.deposit).saturating_add(alloc.unwrap_or_default());
        self.transfer(u256_to_wei(wei_to_u256(&face).min(have)));
    }

    fn mine(&mut self, ticket: Hash32, tx: Hash32, success: bool) {
        self.block += 1;
        let m = TxMined {
            nonce: self.nonce,
            hash: tx,
            block: self.block,
            block_hash: block_hash(self.block),
            success,
            gas_used: 1,
        };
        self.append(mined(
            &TxPurpose::Redeem {
                ticket_hash: ticket,
            },
            m,
            None,
        ));
    }

    fn step(&mut self, op: &Op) {
        let sender = addr(&self.b);
        let session = |s: u8| format!("s{s}");
        match op {
            Op::Pay {
                session: s,
                tickets,
                win,
            } => {
                self.seed += 1;
                let mut params = self.w.issue_unchecked(sender, self.seed);
                if *win {
                    self.w.always_win(&mut params, sender);
                }
                let p = payment(&self.b, &params, 1, *tickets);
                let d = self.w.decide(&p, &session(*s));
                self.payments.push((p, session(*s)));
                self.append(d.events);
            }
            Op::Replay => {
                if let Some((p, s)) = self.payments.last().cloned() {
                    let d = self.w.decide(&p, &s);
                    self.append(d.events);
                }
            }
            Op::Debit { session: s, pixels } => {
                let a = o_account(sender, &session(*s));
                if self.w.proj.balances.get(&a).is_some() {
                    let ev = decide_debit(&self.w.proj.balances, &a, price(), *pixels).unwrap();
                    self.append(ev);
                }
            }
            Op::Close { session: s } => {
                let a = o_account(sender, &session(*s));
                if self.w.proj.balances.get(&a).is_some() {
                    self.append(vec![Event::SessionClosed(a)]);
                }
            }
            Op::Expire => {
                self.now += 10_000_000;
                let ev = stale_sessions(&self.w.proj.balances, self.now, 0);
                self.append(ev);
            }
            Op::Drain => self.append(vec![Event::SenderFundsObserved(SenderFundsObserved {
                sender,
                deposit: Wei::from_u128(3_000_000_000),
                reserve_remaining: Wei::ZERO,
                claimed_in_round: Wei::ZERO,
                claimed_by_us: Wei::ZERO,
                withdraw_round: 0,
                block: self.block,
            })]),
            Op::Redeem { outcome } => {
                let Some((ticket, face)) = self.queued.first().copied() else {
                    return;
                };
                self.nonce += 1;
                let tx = block_hash(1_000_000 + self.nonce);
                self.append(signed(TxSigned {
                    nonce: self.nonce,
                    hash: tx,
                    to: Address([1; 20]),
                    gas_price: Wei::from_u128(1),
                    gas_limit: 1,
                    raw: vec![],
                    purpose: TxPurpose::Redeem {
                        ticket_hash: ticket,
                    },
                    replaces: None,
                }));
                match outcome {
                    0 => {
                        self.mine(ticket, tx, true);
                        self.pay(face);
                        self.queued.remove(0);
                        self.confirmed = Some((ticket, tx, self.block, face));
                    }
                    1 => {
                        self.mine(ticket, tx, false);
                        self.queued.remove(0);
                    }
                    _ => self.append(livepeer::commands::transactions::abandoned(
                        &TxPurpose::Redeem {
                            ticket_hash: ticket,
                        },
                        self.nonce,
                        tx,
                        "timed out".into(),
                    )),
                }
            }
            Op::Reorg => {
                let Some((ticket, tx, block, face)) = self.confirmed.take() else {
                    return;
                };
                self.append(vec![Event::BlockReverted(BlockReverted {
                    number: block,
                    hash: block_hash(block),
                })]);
                // The watcher reads the sender whole again; the same transaction is mined again
                // in a later block, and pays again.
                self.append(vec![funded(addr(&self.b), self.block)]);
                self.mine(ticket, tx, true);
                self.pay(face);
                self.confirmed = Some((ticket, tx, self.block, face));
            }
            Op::Restart => {
                let mut fresh = Projections::default();
                let cps: Vec<_> = self.live.slots().iter().map(|s| s.checkpoint()).collect();
                for (slot, cp) in fresh.slots_mut().into_iter().zip(&cps) {
                    assert!(slot.restore(cp), "{} restores", slot.name());
                }
                self.live = fresh;
            }
        }
    }

    /// The audit at this prefix (a step ends at a decision's boundary: a log grows by whole
    /// decisions, appended atomically), folded incrementally.
    fn check_prefixes(&mut self) {
        {
            while self.audited < self.w.log.len() {
                self.auditor.apply(&self.w.log[self.audited]);
                self.audited += 1;
            }
            let r = self.auditor.report();
            assert!(r.ok(), "prefix {}: {:#?}", self.audited, r.discrepancies);
            let received = self.w.log[..self.audited]
                .iter()
                .filter(|e| matches!(e.event, Event::TicketReceived(_)))
                .count() as u64;
            assert_eq!(r.tickets.received, received, "no ticket unaccounted");
            let mut replay = Projections::default();
            for e in &self.w.log[..self.audited] {
                replay.apply(e);
            }
            for (a, s) in replay.balances.state.iter() {
                let Some(open) = r
                    .sessions
                    .iter()
                    .find(|l| l.ended.is_none() && l.session == a.session)
                else {
                    // A session with a price and no move yet.
                    assert_eq!(s.balance.to_string(), "0", "{a:?}");
                    continue;
                };
                assert_eq!(open.balance, s.balance.to_string(), "ledger = projection");
                let sum = |v: &[livepeer::audit::Term]| {
                    v.iter().fold(
                        num_rational::BigRational::from_integer(0.into()),
                        |acc, t| acc + ratio_to_big(&parse_ratio(&t.amount)),
                    )
                };
                assert_eq!(
                    sum(&open.credits) - sum(&open.debits),
                    ratio_to_big(&s.balance)
                );
            }
        }
    }
}

fn parse_ratio(s: &str) -> livepeer::events::Ratio {
    use num_bigint::BigInt;
    let (n, d) = s.split_once('/').unwrap_or((s, "1"));
    let v =
        num_rational::BigRational::new(n.parse::<BigInt>().unwrap(), d.parse::<BigInt>().unwrap());
    livepeer::pm::num::ratio_from_big(&v)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 100, ..ProptestConfig::default() })]

    #[test]
    fn the_audit_holds_at_every_prefix_and_a_replay_equals_the_live_projections(
        ops in proptest::collection::vec(op(), 1..30)
    ) {
        let mut run = Run::new();
        run.check_prefixes();
        for op in &ops {
            run.step(op);
            run.check_prefixes();
        }
        let mut replay = Projections::default();
        for e in &run.w.log {
            replay.apply(e);
        }
        for (l, r) in run.live.slots().iter().zip(replay.slots()) {
            prop_assert_eq!(l.checkpoint().state, r.checkpoint().state, "{} byte for byte", l.name());
        }
    }
}
