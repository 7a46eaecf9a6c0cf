//! The O's winning tickets and their redemption state. A ticket is redeemable iff it is pending,
//! its params have expired (`expirationBlock ≤ last L1 block`, so the B can no longer reuse the
//! recipientRandHash once the rand is revealed on chain) and it is still valid on chain
//! (`creationRound + ticketValidityPeriod > current round`).

use super::Projection;
use crate::events::{Envelope, Event, Hash32, WinningTicket};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ticketValidityPeriod` in rounds.
pub const TICKET_VALIDITY_PERIOD: u64 = 2;

/// Where a queued ticket stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueState {
    /// Waiting for its params to expire, or for a retry.
    Pending,
    /// A redemption transaction is in flight.
    Submitted {
        /// The transaction.
        tx_hash: Hash32,
    },
    /// Redeemed on chain.
    Redeemed {
        /// The transaction.
        tx_hash: Hash32,
        /// The block it was mined in: if that block is reverted, the redemption is in flight
        /// again (its transaction is sent anew and its receipt read again).
        block: u64,
    },
    /// Handed to this O's redeemer, which redeems it.
    Forwarded {
        /// The redeemer.
        redeemer: String,
    },
    /// Given up (non-retryable failure).
    Dropped {
        /// Why.
        reason: String,
    },
}

/// A queued winning ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// The ticket and what recomputes its recipientRand.
    pub ticket: WinningTicket,
    /// Log seq it was queued at (the queue's order).
    pub queued_seq: u64,
    /// Its state.
    pub state: QueueState,
    /// The recipientRand, when the ticket came with it (a redeemer's `QueueTicket`); else it is
    /// recomputed from the O's secret.
    pub rand: Option<Hash32>,
    /// Why the last attempt did not send it (a hold or a retryable failure), so the same
    /// reason is not recorded again on every block.
    pub note: Option<String>,
}

/// The ticket queue with the chain clock it needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketQueue {
    tickets: BTreeMap<Hash32, Queued>,
    last_l1_block: u64,
    current_round: u64,
}

impl TicketQueue {
    /// Folds one record.
    pub fn fold(&mut self, env: &Envelope) {
        match &env.event {
            Event::WinningTicketQueued(t) => self.queue(t, None, env.seq),
            Event::RevealedTicketQueued(t) => {
                self.queue(&t.ticket, Some(t.recipient_rand), env.seq);
            }
            Event::RedemptionSubmitted(s) => {
                self.set(&s.ticket_hash, QueueState::Submitted { tx_hash: s.tx_hash });
                self.note(&s.ticket_hash, None);
            }
            Event::TicketForwarded(f) => self.set(
                &f.ticket_hash,
                QueueState::Forwarded {
                    redeemer: f.redeemer.clone(),
                },
            ),
            Event::RedemptionHeld(h) => self.note(&h.ticket_hash, Some(h.reason.clone())),
            Event::RedemptionConfirmed(c) => {
                self.set(
                    &c.ticket_hash,
                    QueueState::Redeemed {
                        tx_hash: c.tx_hash,
                        block: c.block,
                    },
                );
            }
            Event::BlockReverted(r) => {
                for q in self.tickets.values_mut() {
                    if let QueueState::Redeemed { tx_hash, block } = q.state {
                        if block == r.number {
                            q.state = QueueState::Submitted { tx_hash };
                        }
                    }
                }
            }
            Event::RedemptionFailed(f) => {
                let state = if f.retryable {
                    QueueState::Pending
                } else {
                    QueueState::Dropped {
                        reason: f.reason.clone(),
                    }
                };
                self.set(&f.ticket_hash, state);
                self.note(&f.ticket_hash, Some(f.reason.clone()));
            }
            Event::BlockObserved(b) => self.last_l1_block = self.last_l1_block.max(b.l1_number),
            Event::RoundInitialized(r) => self.current_round = self.current_round.max(r.round),
            _ => {}
        }
    }

    fn queue(&mut self, t: &WinningTicket, rand: Option<Hash32>, seq: u64) {
        self.tickets.entry(t.ticket_hash).or_insert_with(|| Queued {
            ticket: t.clone(),
            queued_seq: seq,
            state: QueueState::Pending,
            rand,
            note: None,
        });
    }

    fn note(&mut self, hash: &Hash32, note: Option<String>) {
        if let Some(q) = self.tickets.get_mut(hash) {
            q.note = note;
        }
    }

    fn set(&mut self, hash: &Hash32, state: QueueState) {
        if let Some(q) = self.tickets.get_mut(hash) {
            q.state = state;
        }
    }

    /// The last L1 block seen.
    pub fn last_l1_block(&self) -> u64 {
        self.last_l1_block
    }

    /// The current round.
    pub fn current_round(&self) -> u64 {
        self.current_round
    }

    /// A ticket by hash.
    pub fn get(&self, hash: &Hash32) -> Option<&Queued> {
        self.tickets.get(hash)
    }

    /// Whether `q` may be redeemed now.
    pub fn is_redeemable(&self, q: &Queued) -> bool {
        q.state == QueueState::Pending
            && q.ticket.expiration_block <= self.last_l1_block
            && !self.is_expired(q)
    }

    /// Whether `q` can no longer be redeemed on chain (`creationRound + ticketValidityPeriod ≤
    /// currentRound`).
    pub fn is_expired(&self, q: &Queued) -> bool {
        q.ticket
            .creation
            .round
            .saturating_add(TICKET_VALIDITY_PERIOD)
            <= self.current_round
    }

    /// Pending tickets that expired before they could be redeemed.
    pub fn expired(&self) -> Vec<&Queued> {
        let mut out: Vec<&Queued> = self
            .tickets
            .values()
            .filter(|q| q.state == QueueState::Pending && self.is_expired(q))
            .collect();
        out.sort_by_key(|q| q.queued_seq);
        out
    }

    /// Redeemable tickets, earliest queued first.
    pub fn redeemable(&self) -> Vec<&Queued> {
        let mut out: Vec<&Queued> = self
            .tickets
            .values()
            .filter(|q| self.is_redeemable(q))
            .collect();
        out.sort_by_key(|q| q.queued_seq);
        out
    }

    /// Tickets whose redemption was submitted with no outcome recorded yet: after a restart the
    /// node looks their receipts up on chain and records the outcome.
    pub fn submitted(&self) -> Vec<&Queued> {
        let mut out: Vec<&Queued> = self
            .tickets
            .values()
            .filter(|q| matches!(q.state, QueueState::Submitted { .. }))
            .collect();
        out.sort_by_key(|q| q.queued_seq);
        out
    }

    /// Pending tickets, earliest queued first (to hand to a redeemer).
    pub fn pending(&self) -> Vec<&Queued> {
        let mut out: Vec<&Queued> = self
            .tickets
            .values()
            .filter(|q| q.state == QueueState::Pending)
            .collect();
        out.sort_by_key(|q| q.queued_seq);
        out
    }

    /// Every ticket, by hash.
    pub fn iter(&self) -> impl Iterator<Item = (&Hash32, &Queued)> {
        self.tickets.iter()
    }
}

impl Projection for TicketQueue {
    const NAME: &'static str = "ticket_queue";
    const VERSION: u32 = 3;

    fn apply(&mut self, env: &Envelope) {
        self.fold(env);
    }
}
