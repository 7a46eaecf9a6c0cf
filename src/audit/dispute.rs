//! `livepeer dispute`: one ticket (by hash, or `sender:recipientRandHash:nonce` — nonces restart
//! for each recipientRandHash) or one balance session, replayed to the point it was decided and
//! explained: the params issued, the payment, each check in the reference's order with the
//! state it read, the verdict with the reference's text, and everything that happened to it
//! afterwards. The caller finds the candidate seqs with the `audit_index` projection, then folds
//! the log up to `Dispute::end` through `apply`; `lines` is the same text on any machine.

use crate::events::{
    Address, Envelope, Event, FundsChange, Hash32, TicketParamsIssued, TicketReceived,
};
use crate::projections::{
    balances::Balances, max_float::SenderFunds, nonces::NonceSets, ChainView, Projection,
};
use std::collections::BTreeSet;

pub use super::query::Query;

/// The state a receipt's checks read, as it stood when the record was appended.
#[derive(Clone, Debug)]
pub(super) struct Receipt {
    pub seq: u64,
    pub at_ms: u64,
    pub ticket: TicketReceived,
    /// The params issued under its recipientRandHash: (seq, at_ms, params).
    pub params: Option<(u64, u64, TicketParamsIssued)>,
    pub chain: ChainView,
    pub funds: SenderFunds,
    /// Nonces taken under the recipientRandHash before this payment, and earlier in it.
    pub nonces_before: Vec<u32>,
    pub nonces_here: Vec<u32>,
    /// The payment's first seq, its tickets, this one's position from 1.
    pub first_seq: u64,
    pub tickets: u32,
    pub position: u32,
    /// The seq of the price this payment fixed, if it fixed one.
    pub price_fixed_here: Option<u64>,
    pub price_before: Option<crate::events::Price>,
    pub balance_before: crate::events::Ratio,
    /// The payment's credit: (seq, amount, balance).
    pub credit: Option<(u64, String, String)>,
}

/// The run of records of one payment: `FixedPriceSet`?, `TicketReceived`+, then its winners
/// queued and its credit.
#[derive(Clone, Debug)]
struct Batch {
    first: u64,
    price_seq: Option<u64>,
    keys: (Address, Hash32, String),
    nonces: Vec<(u32, bool)>,
    receipts: Vec<usize>,
    tickets_done: bool,
}

/// The fold that replays to each disputed point.
#[derive(Clone, Debug)]
pub struct Dispute {
    pub(super) query: Query,
    targets: BTreeSet<u64>,
    chain: ChainView,
    balances: Balances,
    nonces: NonceSets,
    funds: SenderFunds,
    /// Params issued under the recipientRandHashes asked about: (seq, at_ms, params).
    params: Vec<(u64, u64, TicketParamsIssued)>,
    batch: Option<Batch>,
    last_price: Option<u64>,
    prev_seq: Option<u64>,
    pub(super) receipts: Vec<Receipt>,
    /// Ticket hashes asked about (known once a receipt or a queue record is read).
    pub(super) hashes: BTreeSet<Hash32>,
    /// Redemption transactions of those tickets.
    txs: BTreeSet<Hash32>,
    /// (sender, recipient, block) of confirmations, to find their transfers.
    confirmations: Vec<(Address, Address, u64)>,
    /// Transfers from the ticket's sender not (yet) matched with a confirmation or a revert:
    /// (seq, at_ms, event, block).
    transfers: Vec<(u64, u64, Event, u64)>,
    /// Blocks where a redemption of the ticket was mined reverted: the sender's transfers there
    /// say why (another ticket took the funds first).
    reverted_in: Vec<u64>,
    /// The ticket's sender and recipient, once a queue record named them.
    pub(super) keys: Option<(Address, Address)>,
    /// Later records about the subject: (seq, at_ms, event).
    pub(super) later: Vec<(u64, u64, Event)>,
}

impl Dispute {
    /// Moves the buffered transfers of `block` (to `to` only, when given) to what followed:
    /// the watcher may record a block's transfers before the receipt that explains them.
    fn flush_transfers(&mut self, block: u64, to: Option<Address>) {
        let (early, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.transfers)
            .into_iter()
            .partition(|t| {
                t.3 == block
                    && match (&t.2, to) {
                        (Event::SenderFundsChanged(c), Some(to)) => matches!(
                            c.change,
                            FundsChange::WinningTicketTransfer { recipient, .. } if recipient == to
                        ),
                        _ => true,
                    }
            });
        self.transfers = rest;
        self.later
            .extend(early.into_iter().map(|t| (t.0, t.1, t.2)));
    }
}

/// Records read past the last candidate for a redemption's transfer (the watcher records it
/// within a few polls).
pub const TRANSFER_WINDOW: u64 = 5_000;

impl Dispute {
    /// A dispute of `query`, whose records are among `candidates` (from the index).
    pub fn new(query: Query, candidates: &[u64]) -> Dispute {
        let mut hashes = BTreeSet::new();
        if let Query::Ticket(h) = &query {
            hashes.insert(*h);
        }
        Dispute {
            query,
            targets: candidates.iter().copied().collect(),
            chain: ChainView::default(),
            balances: Balances::default(),
            nonces: NonceSets::default(),
            funds: SenderFunds::default(),
            params: Vec::new(),
            batch: None,
            last_price: None,
            prev_seq: None,
            receipts: Vec::new(),
            hashes,
            txs: BTreeSet::new(),
            confirmations: Vec::new(),
            transfers: Vec::new(),
            reverted_in: Vec::new(),
            keys: None,
            later: Vec::new(),
        }
    }

    /// The last seq the fold needs: the last candidate, plus a window for a transfer (the
    /// caller stops at the log's end).
    pub fn end(&self) -> Option<u64> {
        self.targets
            .last()
            .map(|s| s.saturating_add(TRANSFER_WINDOW))
    }

    /// More candidate seqs: the index's records about the subject's recipientRandHash and
    /// ticket hash, once a first read of the candidates named them.
    pub fn add_candidates(&mut self, seqs: &[u64]) {
        self.targets.extend(seqs.iter().copied());
    }

    /// Folds one record, in seq order from 0.
    pub fn apply(&mut self, env: &Envelope) {
        let seq = env.seq;
        let contiguous = self.prev_seq.is_some_and(|p| p + 1 == seq);
        self.prev_seq = Some(seq);
        self.track_batch(env, contiguous);
        self.observe(env);
        self.chain.apply(env);
        self.balances.fold(env);
        self.nonces.fold(env);
        self.funds.fold(env);
    }

    fn track_batch(&mut self, env: &Envelope, contiguous: bool) {
        match &env.event {
            Event::FixedPriceSet(_) => {
                self.batch = None;
                self.last_price = Some(env.seq);
            }
            Event::TicketReceived(t) => {
                let keys = (t.sender, t.recipient_rand_hash, t.session.clone());
                let continues = contiguous
                    && self
                        .batch
                        .as_ref()
                        .is_some_and(|b| b.keys == keys && !b.tickets_done);
                if !continues {
                    let price = self.last_price.filter(|p| p + 1 == env.seq);
                    self.batch = Some(Batch {
                        first: price.unwrap_or(env.seq),
                        price_seq: price,
                        keys,
                        nonces: Vec::new(),
                        receipts: Vec::new(),
                        tickets_done: false,
                    });
                }
                self.last_price = None;
                if self.query.matches(t) {
                    self.receipt(env, t);
                }
                if let Some(b) = &mut self.batch {
                    b.nonces
                        .push((t.nonce, crate::projections::nonces::consumes_nonce(t)));
                    let n = b.nonces.len() as u32;
                    for i in &b.receipts {
                        if let Some(r) = self.receipts.get_mut(*i) {
                            r.tickets = n;
                        }
                    }
                }
            }
            Event::WinningTicketQueued(_) if contiguous => {
                if let Some(b) = &mut self.batch {
                    b.tickets_done = true;
                }
            }
            Event::BalanceCredited(c) if contiguous => {
                if let Some(b) = self.batch.take() {
                    let (sender, _, session) = &b.keys;
                    if c.account.counterparty == *sender && c.account.session == *session {
                        for i in &b.receipts {
                            if let Some(r) = self.receipts.get_mut(*i) {
                                r.credit =
                                    Some((env.seq, c.amount.to_string(), c.balance.to_string()));
                            }
                        }
                    }
                }
            }
            _ => {
                self.batch = None;
                self.last_price = None;
            }
        }
    }

    fn receipt(&mut self, env: &Envelope, t: &TicketReceived) {
        self.hashes.insert(t.ticket_hash);
        let Some(b) = &mut self.batch else { return };
        let here: Vec<u32> = b.nonces.iter().filter(|n| n.1).map(|n| n.0).collect();
        let before: Vec<u32> = self
            .nonces
            .get(&t.recipient_rand_hash)
            .map(|s| {
                s.nonces
                    .iter()
                    .copied()
                    .filter(|n| !here.contains(n))
                    .collect()
            })
            .unwrap_or_default();
        let account = crate::events::Account {
            side: crate::events::Side::Orchestrator,
            counterparty: t.sender,
            session: t.session.clone(),
        };
        let price_before = if b.price_seq.is_some() {
            None
        } else {
            self.balances.fixed_price(&account)
        };
        b.receipts.push(self.receipts.len());
        self.receipts.push(Receipt {
            seq: env.seq,
            at_ms: env.at_ms,
            ticket: t.clone(),
            params: self
                .params
                .iter()
                .rev()
                .find(|p| {
                    p.2.recipient_rand_hash == t.recipient_rand_hash && p.2.sender == t.sender
                })
                .cloned(),
            chain: self.chain.clone(),
            funds: self.funds.clone(),
            nonces_before: before,
            nonces_here: here,
            first_seq: b.first,
            tickets: b.nonces.len() as u32 + 1,
            position: b.nonces.len() as u32 + 1,
            price_fixed_here: b.price_seq,
            price_before,
            balance_before: self.balances.balance(&account),
            credit: None,
        });
    }

    /// Keeps what is about the subject: params under its recipientRandHash, later records
    /// about its hash, its transactions, their transfers and reverted blocks.
    fn observe(&mut self, env: &Envelope) {
        let (seq, at) = (env.seq, env.at_ms);
        let target = self.targets.contains(&seq);
        let mine = |h: &Hash32| self.hashes.contains(h);
        let keep = match &env.event {
            Event::TicketParamsIssued(p) => {
                if target {
                    self.params.push((seq, at, p.clone()));
                }
                false
            }
            Event::WinningTicketQueued(t) if mine(&t.ticket_hash) => {
                self.keys = Some((t.sender, t.recipient));
                true
            }
            Event::RevealedTicketQueued(t) if mine(&t.ticket.ticket_hash) => {
                self.keys = Some((t.ticket.sender, t.ticket.recipient));
                true
            }
            Event::TxSigned(t) => match &t.purpose {
                crate::events::TxPurpose::Redeem { ticket_hash } if mine(ticket_hash) => {
                    self.txs.insert(t.hash);
                    true
                }
                _ => false,
            },
            Event::TxMined(m) if self.txs.contains(&m.hash) => {
                if !m.success {
                    self.reverted_in.push(m.block);
                    self.flush_transfers(m.block, None);
                }
                true
            }
            Event::TxAbandoned(a) => self.txs.contains(&a.hash),
            Event::RedemptionConfirmed(c) if mine(&c.ticket_hash) => {
                if let Some((s, r)) = self.keys {
                    self.confirmations.push((s, r, c.block));
                    self.flush_transfers(c.block, Some(r));
                }
                true
            }
            Event::RedemptionSubmitted(r) => mine(&r.ticket_hash),
            Event::RedemptionFailed(r) => mine(&r.ticket_hash),
            Event::RedemptionHeld(r) => mine(&r.ticket_hash),
            Event::TicketForwarded(r) => mine(&r.ticket_hash),
            Event::SenderFundsChanged(c) => match &c.change {
                FundsChange::WinningTicketTransfer { recipient, .. } => {
                    let known = self
                        .confirmations
                        .contains(&(c.sender, *recipient, c.pos.block))
                        || (self.keys.is_some_and(|k| k.0 == c.sender)
                            && self.reverted_in.contains(&c.pos.block));
                    if !known && self.keys.is_some_and(|k| k.0 == c.sender) {
                        self.transfers
                            .push((seq, at, env.event.clone(), c.pos.block));
                    }
                    known
                }
                // Why a queued ticket of this sender could not be paid.
                FundsChange::Withdrawal { .. } | FundsChange::Unlock { .. } => {
                    self.confirmations.is_empty() && self.keys.is_some_and(|k| k.0 == c.sender)
                }
                _ => false,
            },
            Event::BlockReverted(r) => self.confirmations.iter().any(|k| k.2 == r.number),
            Event::TicketReceived(t) => {
                matches!(&self.query, Query::Session(s) if *s == t.session)
            }
            Event::BalanceCredited(c) | Event::BalanceDebited(c) => {
                matches!(&self.query, Query::Session(s) if *s == c.account.session)
            }
            Event::FixedPriceSet(f) => {
                matches!(&self.query, Query::Session(s) if *s == f.account.session)
            }
            Event::SessionClosed(a) => matches!(&self.query, Query::Session(s) if *s == a.session),
            Event::BalanceExpired(e) => {
                matches!(&self.query, Query::Session(s) if *s == e.account.session)
            }
            Event::BroadcastSessionOpened(o) => {
                matches!(&self.query, Query::Session(s) if *s == o.session_id)
            }
            _ => false,
        };
        if keep {
            self.later.push((seq, at, env.event.clone()));
        }
    }
}
