//! The accounting an operator can prove, from the log alone: `Auditor` folds records into
//! balance ledgers (Σ credits − Σ debits = the balance, each term with its seq), every received
//! ticket's fate, each redemption against its `WinningTicketTransfer`, and, on a B, what it paid
//! each O and for which stream (`paid.rs`); `dispute` explains one ticket or session step by step. Pure: no I/O, no clock; the
//! caller feeds records (`livepeer audit` and `livepeer dispute` read a stopped node's log; a
//! running node's CLI API can feed the same fold from its own log).

pub mod chain_check;
pub mod dispute;
mod dispute_text;
mod ledger;
mod paid;
mod query;
mod render;
mod tickets;
mod transfers;

pub use ledger::{Ended, SessionLedger, Term};
pub use paid::PaidFor;
pub use render::render_table;
pub use tickets::{Step, TicketStory, NONCE_SEEN};
pub use transfers::Redemption;

use crate::events::{Address, Envelope, Event, FundsChange};
use crate::pm::num::wei_to_u256;
use crate::projections::{max_float::SenderFunds, Projection};
use serde::Serialize;
use std::collections::BTreeMap;

/// A difference the log does not explain, with the seqs behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Discrepancy {
    /// The records to look at.
    pub seqs: Vec<u64>,
    /// What does not add up.
    pub what: String,
}

/// What a B paid one O in tickets, all streams together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaidTo {
    /// The O's address.
    pub recipient: String,
    /// Tickets signed for it.
    pub tickets: u64,
    /// Their total expected value, wei.
    pub ev: String,
    /// The streams whose sessions it served (the B's `BroadcastSessionOpened`).
    pub streams: Vec<String>,
}

/// Ticket counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketCounts {
    /// Tickets received (O).
    pub received: u64,
    /// Accepted and lost.
    pub lost: u64,
    /// Refused, by the reference's text.
    pub refused: BTreeMap<String, u64>,
    /// Won (queued or handed over).
    pub won: u64,
    /// Winners by where they stand.
    pub by_fate: BTreeMap<String, u64>,
}

/// The audit of one log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Records read.
    pub records: u64,
    /// Every balance session's ledger.
    pub sessions: Vec<SessionLedger>,
    /// Ticket counts.
    pub tickets: TicketCounts,
    /// Every winner's story, and every refused ticket's.
    pub stories: Vec<TicketStory>,
    /// Confirmed redemptions against the chain's transfers.
    pub redemptions: Vec<Redemption>,
    /// B side: tickets paid to each O per stream (`stream` null where the log cannot tell
    /// which of the O's streams they paid for).
    pub paid: Vec<PaidFor>,
    /// B side: tickets paid to each O, all streams together.
    pub paid_to: Vec<PaidTo>,
    /// Unexplained differences (exit 1 when any).
    pub discrepancies: Vec<Discrepancy>,
}

impl AuditReport {
    /// True when every difference is explained.
    pub fn ok(&self) -> bool {
        self.discrepancies.is_empty()
    }
}

/// The fold behind the report.
#[derive(Clone, Debug, Default)]
pub struct Auditor {
    records: u64,
    ledgers: ledger::Ledgers,
    tickets: tickets::Tickets,
    funds: SenderFunds,
    transfers: Vec<transfers::Transfer>,
    max_block: u64,
    found: Vec<Discrepancy>,
    /// B: tickets paid, per O and stream.
    paid: paid::Paid,
}

impl Auditor {
    /// Folds one record (records must come in seq order from 0).
    pub fn apply(&mut self, env: &Envelope) {
        self.records += 1;
        let seq = env.seq;
        self.tickets.apply(env);
        self.paid.apply(&env.event);
        match &env.event {
            Event::BalanceCredited(c) => self.ledgers.moved(seq, c, true, &mut self.found),
            Event::BalanceDebited(c) => self.ledgers.moved(seq, c, false, &mut self.found),
            Event::SessionClosed(a) => self.ledgers.ended(seq, a, None, &mut self.found),
            Event::BalanceExpired(e) => {
                self.ledgers
                    .ended(seq, &e.account, Some(&e.left), &mut self.found)
            }
            Event::SenderFundsChanged(c) => {
                if let FundsChange::WinningTicketTransfer { recipient, amount } = &c.change {
                    let deposit = self
                        .funds
                        .get(&c.sender)
                        .map(|f| wei_to_u256(&f.deposit))
                        .unwrap_or_default();
                    let alloc = self
                        .funds
                        .reserve_alloc(&c.sender, recipient)
                        .unwrap_or_default();
                    self.transfers.push(transfers::Transfer {
                        seq,
                        sender: c.sender,
                        recipient: *recipient,
                        amount: *amount,
                        block: c.pos.block,
                        block_hash: c.pos.block_hash,
                        available: deposit.saturating_add(alloc),
                        reverted: false,
                    });
                }
            }
            Event::BlockObserved(b) => self.max_block = self.max_block.max(b.number),
            Event::BlockReverted(r) => {
                for t in &mut self.transfers {
                    if t.block_hash == r.hash {
                        t.reverted = true;
                    }
                }
            }
            _ => {}
        }
        self.funds.apply(env);
    }

    /// The report of what was folded so far.
    pub fn report(&self) -> AuditReport {
        let mut found = self.found.clone();
        let streams = |session: &str| {
            self.paid
                .streams
                .get(session)
                .map(|(s, o)| format!("{s} via {o}"))
        };
        let sessions = self.ledgers.report(&streams, &mut found);
        found.extend(self.tickets.orphans.iter().cloned());
        found.extend(self.tickets.unqueued());
        let watched = |a: &Address| self.funds.get(a).is_some();
        let polled = |_seq: u64, block: u64| self.max_block >= block;
        let redemptions = transfers::match_transfers(
            &self.tickets.winners,
            &self.transfers,
            &watched,
            &polled,
            &mut found,
        );
        let mut by_fate = BTreeMap::new();
        let mut stories: Vec<TicketStory> = self
            .tickets
            .winners
            .iter()
            .map(|(h, w)| {
                let kind = w.fate.split(':').next().unwrap_or_default().to_string();
                *by_fate.entry(kind).or_insert(0u64) += 1;
                TicketStory {
                    ticket_hash: h.to_string(),
                    sender: w.sender.to_string(),
                    nonce: w.nonce,
                    session: w.session.clone(),
                    fate: w.fate.clone(),
                    steps: w.steps.clone(),
                }
            })
            .collect();
        stories.extend(self.tickets.refused_list.iter().cloned());
        stories.sort_by_key(|s| s.steps.first().map_or(0, |st| st.seq));
        let (paid, paid_to) = self.paid.report();
        found.sort_by(|a, b| a.seqs.cmp(&b.seqs));
        AuditReport {
            records: self.records,
            sessions,
            tickets: TicketCounts {
                received: self.tickets.received,
                lost: self.tickets.lost,
                refused: self.tickets.refused.clone(),
                won: self.tickets.winners.len() as u64,
                by_fate,
            },
            stories,
            redemptions,
            paid,
            paid_to,
            discrepancies: found,
        }
    }
}

/// Audits a whole log given as records in seq order.
pub fn audit<'a>(records: impl IntoIterator<Item = &'a Envelope>) -> AuditReport {
    let mut a = Auditor::default();
    for env in records {
        a.apply(env);
    }
    a.report()
}
