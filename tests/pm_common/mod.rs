//! Shared fixtures for the pm tests: an O and a B with fixed keys, the O's secret, projections
//! fed by a little in-memory sequencer, and helpers that fund the B, issue params (winning ones
//! too), build payments, open the node's payments desk and read balances and queued winners.
#![allow(dead_code, clippy::unwrap_used)] // test fixtures: a failure here is a test failure

pub mod fixture;
pub mod model;

use ethers_core::types::U256;
use ethers_signers::{LocalWallet, Signer};
use livepeer::events::{
    Account, Address, BlockObserved, Envelope, Event, Hash32, PoolSizeChanged, Price,
    RoundInitialized, SenderFundsObserved, Side, Wei, WinningTicket,
};
use livepeer::log::{Log, LogStore};
use livepeer::node::payments::Payments;
use livepeer::pm::{
    issue::{issue_params, IssueConfig, IssueInput, RoundView},
    num::ratio_to_big,
    receive::{decide_payment, PaymentDecision, PaymentInput, Recipient},
    recipient_rand, recipient_rand_hash,
    sender::{create_payment, start_session, validate_ticket_params, SenderConfig, SenderError},
    wire::WirePayment,
    RandInputs, RandSecret, Ticket, TicketExpirationParams, TicketParams,
};
use livepeer::projections::{nonces::SenderSession, payments::PaymentProjections};
use num_rational::BigRational;
use std::sync::Arc;

pub const ROUND: u64 = 100;
pub const L1: u64 = 1_000;

pub fn wallet(seed: u8) -> LocalWallet {
    let mut key = [0x11u8; 32];
    key[31] = seed;
    LocalWallet::from_bytes(&key).unwrap()
}

pub fn addr(w: &LocalWallet) -> Address {
    Address(w.address().0)
}

pub fn price() -> Price {
    Price {
        price_per_unit: 1200,
        pixels_per_unit: 1,
    }
}

pub fn round_hash() -> Hash32 {
    Hash32([0xab; 32])
}

/// The O's balance account for `sender`'s payments in balance session `session`.
pub fn o_account(sender: Address, session: &str) -> Account {
    Account {
        side: Side::Orchestrator,
        counterparty: sender,
        session: session.into(),
    }
}

/// The EV of one ticket `sender` signs under `params`.
pub fn ev_of(params: &TicketParams, sender: Address) -> BigRational {
    Ticket::new(params, params.expiration_params, sender, 1, price()).ev()
}

/// The winning ticket a decision queued, if it queued one.
pub fn queued_winner(events: &[Event]) -> Option<Box<WinningTicket>> {
    events.iter().find_map(|e| match e {
        Event::WinningTicketQueued(t) => Some(t.clone()),
        _ => None,
    })
}

/// A fresh O, the B (wallet 2) funded generously there, and params issued to it with `seed`.
pub fn funded(seed: u64) -> (World, LocalWallet, TicketParams) {
    let mut w = World::new();
    let b = w.fund_b();
    let params = w.issue(addr(&b), seed);
    (w, b, params)
}

/// One O with its projections, plus B wallets that pay it.
pub struct World {
    pub o: LocalWallet,
    pub secret: RandSecret,
    pub cfg: IssueConfig,
    pub proj: PaymentProjections,
    pub log: Vec<Envelope>,
    pub last_l1: u64,
    pub round: u64,
}

impl World {
    pub fn new() -> Self {
        let o = wallet(1);
        let mut w = World {
            proj: PaymentProjections::default(),
            o,
            secret: RandSecret([7; 32]),
            cfg: IssueConfig::default(),
            log: Vec::new(),
            last_l1: L1,
            round: ROUND,
        };
        w.append(vec![
            Event::PoolSizeChanged(PoolSizeChanged {
                round: ROUND,
                size: 10,
            }),
            Event::BlockObserved(BlockObserved {
                number: 5_000,
                hash: Hash32([1; 32]),
                parent: Hash32([0; 32]),
                l1_number: L1,
            }),
        ]);
        w
    }

    pub fn me(&self) -> Address {
        addr(&self.o)
    }

    /// Appends events as the log would (seq, at_ms) and applies them.
    pub fn append(&mut self, events: Vec<Event>) -> Vec<Envelope> {
        let mut out = Vec::new();
        for ev in events {
            let env = Envelope::new(
                self.log.len() as u64,
                self.log.len() as u64,
                Hash32::default(),
                ev,
            );
            self.proj.apply(&env);
            self.log.push(env.clone());
            out.push(env);
        }
        out
    }

    /// Funds a sender generously (deposit and reserve), as a whole observation.
    pub fn fund(&mut self, sender: Address, deposit: u128, reserve: u128) {
        self.append(vec![Event::SenderFundsObserved(SenderFundsObserved {
            sender,
            deposit: Wei::from_u128(deposit),
            reserve_remaining: Wei::from_u128(reserve),
            claimed_in_round: Wei::ZERO,
            claimed_by_us: Wei::ZERO,
            withdraw_round: 0,
            block: 5_000,
        })]);
    }

    /// The B (wallet 2), funded generously: a deposit of 1e18 and a reserve of 1e19.
    pub fn fund_b(&mut self) -> LocalWallet {
        let b = wallet(2);
        self.fund(addr(&b), 10u128.pow(18), 10u128.pow(19));
        b
    }

    /// The active pool size of `round` is `size`.
    pub fn pool_size(&mut self, round: u64, size: u64) {
        self.append(vec![Event::PoolSizeChanged(PoolSizeChanged {
            round,
            size,
        })]);
    }

    pub fn rounds(&self) -> RoundView {
        RoundView {
            last_initialized_round: self.round,
            last_initialized_block_hash: round_hash(),
            pre_last_initialized_block_hash: Hash32([0xcd; 32]),
        }
    }

    /// Issues params for `sender` with `seed` at 1 gwei gas.
    pub fn issue(&self, sender: Address, seed: u64) -> TicketParams {
        let input = IssueInput {
            recipient: self.me(),
            sender,
            price: price(),
            gas_price: U256::from(1_000_000_000u64),
            max_float: self.proj.funds.max_float(&sender, &self.me()),
            last_l1_block: self.last_l1,
            rounds: self.rounds(),
            seed: U256::from(seed),
        };
        issue_params(&self.cfg, &self.secret, &input).unwrap().0
    }

    /// Issues params without the max-float lookup (fixtures).
    pub fn issue_unchecked(&self, sender: Address, seed: u64) -> TicketParams {
        let input = IssueInput {
            recipient: self.me(),
            sender,
            price: price(),
            gas_price: U256::from(1_000_000_000u64),
            max_float: Some(U256::MAX),
            last_l1_block: self.last_l1,
            rounds: self.rounds(),
            seed: U256::from(seed),
        };
        issue_params(&self.cfg, &self.secret, &input).unwrap().0
    }

    /// Makes every ticket `sender` signs under `params` win (faceValue = EV gives winProb =
    /// 2^256 − 1), with the recipientRandHash this O's secret gives the new terms; returns that
    /// recipientRand.
    pub fn always_win(&self, params: &mut TicketParams, sender: Address) -> U256 {
        params.face_value = self.cfg.ev;
        params.win_prob = U256::MAX;
        let rand = recipient_rand(
            &self.secret,
            &RandInputs {
                seed: params.seed,
                sender,
                face_value: params.face_value,
                win_prob: params.win_prob,
                expiration_block: params.expiration_block,
                price: price(),
                expiration: params.expiration_params,
            },
        );
        params.recipient_rand_hash = recipient_rand_hash(rand);
        rand
    }

    /// A B's check of `params` for one ticket (at `L1`, `ROUND`), against the funds this world
    /// has observed for `sender`.
    pub fn b_validates(
        &self,
        sender: Address,
        params: Option<&TicketParams>,
    ) -> Result<(), SenderError> {
        let funds = self.proj.funds.get(&sender).cloned();
        validate_ticket_params(
            &SenderConfig::default(),
            params,
            1,
            funds.as_ref(),
            L1,
            ROUND,
        )
    }

    /// The balance of `account`.
    pub fn balance(&self, account: &Account) -> BigRational {
        ratio_to_big(&self.proj.balances.balance(account))
    }

    /// The B's session for the params with `recipient_rand_hash`.
    pub fn session(&self, recipient_rand_hash: &Hash32) -> Option<&SenderSession> {
        self.proj.sessions.get(recipient_rand_hash)
    }

    /// The node's payments desk for this O on `log`, with this world's events appended.
    pub async fn desk<S: LogStore>(&self, log: Arc<Log<S>>) -> Payments<S> {
        let desk = Payments::open(log, self.me(), self.secret.clone()).unwrap();
        let events = self.log.iter().map(|e| e.event.clone()).collect();
        desk.append(1, events).await.unwrap();
        desk
    }

    /// The decision on `payment`, made both ways — signatures checked inside the decision and
    /// ahead of it (`pm::presig`, as the node does) — which must agree.
    pub fn decide(&self, payment: &WirePayment, session: &str) -> PaymentDecision {
        let checked = livepeer::pm::presig::check_signatures(payment);
        let decide = |checked| {
            decide_payment(
                self.proj.view(),
                Recipient {
                    address: self.me(),
                    secret: &self.secret,
                    seed_tag: None,
                },
                PaymentInput {
                    payment,
                    session,
                    last_l1_block: self.last_l1,
                    last_initialized_round: self.round,
                    recipient_active: true,
                    checked,
                },
            )
        };
        let inside = decide(None);
        assert_eq!(
            decide(checked.as_deref()),
            inside,
            "signatures checked ahead of the decision give the same decision"
        );
        inside
    }

    pub fn advance_l1(&mut self, to: u64) {
        self.last_l1 = to;
        self.append(vec![Event::BlockObserved(BlockObserved {
            number: 5_000 + to,
            hash: Hash32([2; 32]),
            parent: Hash32([1; 32]),
            l1_number: to,
        })]);
    }

    pub fn new_round(&mut self, round: u64) {
        self.round = round;
        self.append(vec![Event::RoundInitialized(RoundInitialized {
            round,
            block_hash: round_hash(),
            l1_block: self.last_l1,
            pos: Default::default(),
        })]);
    }
}

/// A B's signed payment of `n` tickets with nonces `first..first+n` under `params`.
pub fn payment(b: &LocalWallet, params: &TicketParams, first: u32, n: u32) -> WirePayment {
    let start = start_session(params, price());
    let Event::SenderSessionStarted(s) = start else {
        unreachable!()
    };
    let session = livepeer::projections::nonces::SenderSession {
        params: s,
        last_nonce: first - 1,
    };
    create_payment(&session, n, b, addr(b), TicketExpirationParams::default())
        .unwrap()
        .0
}
