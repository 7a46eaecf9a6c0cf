//! Every received ticket's fate: lost, refused with the reference's text, or won and then
//! queued → waiting (held, retried) | submitted → confirmed | failed with why | forwarded to a
//! redeemer — each step with its seq. A winner never queued, or a redemption of a ticket never
//! queued, is a discrepancy.

use super::Discrepancy;
use crate::events::{
    Address, Envelope, Event, Hash32, TicketOutcome, TicketReceived, TxPurpose, Wei,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The reference's error text for a replayed nonce (the same ticket, handled at its first
/// receipt: not queued again).
pub const NONCE_SEEN: &str = "invalid ticket senderNonce: already seen";

/// A step of a ticket's story.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The record's seq.
    pub seq: u64,
    /// What happened.
    pub what: String,
}

/// A winning (or refused) ticket and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketStory {
    /// The ticket hash.
    pub ticket_hash: String,
    /// The sender.
    pub sender: String,
    /// Its nonce.
    pub nonce: u32,
    /// The session it paid (empty for a ticket a redeemer was handed).
    pub session: String,
    /// Where it stands now: `lost`, `refused: …`, `waiting`, `held: …`, `submitted`,
    /// `confirmed`, `given up: …`, `forwarded`.
    pub fate: String,
    /// Every step, in log order.
    pub steps: Vec<Step>,
}

/// What the audit keeps about a winner.
#[derive(Clone, Debug, Default)]
pub(super) struct Winner {
    pub sender: Address,
    pub recipient: Option<Address>,
    pub nonce: u32,
    pub session: String,
    pub face: Wei,
    pub won_at: Option<u64>,
    pub queued: Option<u64>,
    pub fate: String,
    pub steps: Vec<Step>,
    /// (block, seq) of the confirmation that stands.
    pub confirmed: Option<(u64, u64)>,
}

/// Counts and stories of the tickets a node received or was handed.
#[derive(Clone, Debug, Default)]
pub struct Tickets {
    pub(super) received: u64,
    pub(super) lost: u64,
    pub(super) refused: BTreeMap<String, u64>,
    pub(super) refused_list: Vec<TicketStory>,
    pub(super) winners: BTreeMap<Hash32, Winner>,
    /// Redemption transactions → their ticket.
    txs: BTreeMap<Hash32, Hash32>,
    pub(super) orphans: Vec<Discrepancy>,
    /// Within an `import-lpdb` append: the records still to come from it, and its file.
    importing: (u32, String),
}

fn verdict(t: &TicketReceived) -> String {
    match &t.outcome {
        TicketOutcome::Accepted { won: true, ev } => format!("received, won, credited EV {ev}"),
        TicketOutcome::Accepted { won: false, ev } => format!("received, lost, credited EV {ev}"),
        TicketOutcome::Rejected { reason, won, .. } => {
            format!(
                "received, refused: {reason}{}",
                if *won { " (won)" } else { "" }
            )
        }
    }
}

impl Tickets {
    fn step(&mut self, h: &Hash32, seq: u64, what: String, fate: Option<String>) {
        match self.winners.get_mut(h) {
            Some(w) => {
                w.steps.push(Step { seq, what });
                if let Some(f) = fate {
                    w.fate = f;
                }
            }
            None => self.orphans.push(Discrepancy {
                seqs: vec![seq],
                what: format!("{what} for ticket {h}, which this log never queued"),
            }),
        }
    }

    /// Folds one record.
    pub fn apply(&mut self, env: &Envelope) {
        let seq = env.seq;
        let imported = self.importing.0 > 0;
        self.importing.0 = self.importing.0.saturating_sub(1);
        match &env.event {
            Event::LpdbImported(i) => self.importing = (i.events, i.file.clone()),
            Event::RevealedTicketQueued(t) if imported => {
                let what = format!(
                    "imported from {} (go-livepeer's ticketQueue) and queued",
                    self.importing.1
                );
                self.queued(seq, &t.ticket, &what)
            }
            Event::TicketReceived(t) => self.received(seq, t),
            Event::WinningTicketQueued(t) => self.queued(seq, t, "queued for redemption"),
            Event::RevealedTicketQueued(t) => self.queued(
                seq,
                &t.ticket,
                "handed to this redeemer (QueueTicket) and queued",
            ),
            Event::RedemptionHeld(h) => {
                let what = format!("held: {}", h.reason);
                self.step(&h.ticket_hash, seq, what.clone(), Some(what));
            }
            Event::TicketForwarded(f) => {
                let what = format!("forwarded to the redeemer {}", f.redeemer);
                self.step(&f.ticket_hash, seq, what, Some("forwarded".into()));
            }
            Event::TxSigned(t) => {
                if let TxPurpose::Redeem { ticket_hash } = &t.purpose {
                    self.txs.insert(t.hash, *ticket_hash);
                    let what = format!(
                        "redemption transaction {} signed at nonce {}",
                        t.hash, t.nonce
                    );
                    self.step(ticket_hash, seq, what, None);
                }
            }
            Event::TxMined(m) => {
                if let Some(h) = self.txs.get(&m.hash).copied() {
                    let what = format!(
                        "transaction {} mined in block {}: {}",
                        m.hash,
                        m.block,
                        if m.success { "success" } else { "reverted" }
                    );
                    self.step(&h, seq, what, None);
                }
            }
            Event::TxAbandoned(a) => {
                if let Some(h) = self.txs.get(&a.hash).copied() {
                    self.step(
                        &h,
                        seq,
                        format!("transaction {} given up: {}", a.hash, a.reason),
                        None,
                    );
                }
            }
            Event::RedemptionSubmitted(s) => {
                let what = format!("redemption submitted in transaction {}", s.tx_hash);
                self.step(&s.ticket_hash, seq, what, Some("submitted".into()));
            }
            Event::RedemptionConfirmed(c) => {
                let what = format!("redeemed in block {} (transaction {})", c.block, c.tx_hash);
                self.step(&c.ticket_hash, seq, what, Some("confirmed".into()));
                if let Some(w) = self.winners.get_mut(&c.ticket_hash) {
                    w.confirmed = Some((c.block, seq));
                }
            }
            Event::RedemptionFailed(f) => {
                let (what, fate) = if f.retryable {
                    (
                        format!("redemption failed: {} → retried", f.reason),
                        "waiting".to_string(),
                    )
                } else {
                    (
                        format!("redemption failed: {} → given up", f.reason),
                        format!("given up: {}", f.reason),
                    )
                };
                self.step(&f.ticket_hash, seq, what, Some(fate));
            }
            Event::BlockReverted(r) => {
                for w in self.winners.values_mut() {
                    if w.confirmed.is_some_and(|(b, _)| b == r.number) {
                        w.confirmed = None;
                        w.fate = "submitted".into();
                        w.steps.push(Step {
                            seq,
                            what: format!(
                                "block {} reverted: the redemption is in flight again",
                                r.number
                            ),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn received(&mut self, seq: u64, t: &TicketReceived) {
        self.received += 1;
        let won = match &t.outcome {
            TicketOutcome::Accepted { won, .. } => *won,
            TicketOutcome::Rejected { reason, won, .. } => {
                *self.refused.entry(reason_kind(reason)).or_default() += 1;
                *won && !reason.starts_with(NONCE_SEEN)
            }
        };
        let step = Step {
            seq,
            what: verdict(t),
        };
        if won {
            let w = self.winners.entry(t.ticket_hash).or_default();
            w.sender = t.sender;
            w.nonce = t.nonce;
            w.session.clone_from(&t.session);
            w.won_at.get_or_insert(seq);
            if w.fate.is_empty() {
                w.fate = "won, not queued".into();
            }
            w.steps.push(step);
        } else if let TicketOutcome::Rejected { reason, .. } = &t.outcome {
            self.refused_list.push(TicketStory {
                ticket_hash: t.ticket_hash.to_string(),
                sender: t.sender.to_string(),
                nonce: t.nonce,
                session: t.session.clone(),
                fate: format!("refused: {reason}"),
                steps: vec![step],
            });
        } else {
            self.lost += 1;
        }
    }

    fn queued(&mut self, seq: u64, t: &crate::events::WinningTicket, what: &str) {
        let w = self.winners.entry(t.ticket_hash).or_default();
        w.sender = t.sender;
        w.recipient = Some(t.recipient);
        w.nonce = t.nonce;
        w.face = t.face_value;
        w.queued.get_or_insert(seq);
        w.fate = "waiting".into();
        w.steps.push(Step {
            seq,
            what: format!("{what}: face value {} wei", t.face_value),
        });
    }

    /// Winners never queued.
    pub(super) fn unqueued(&self) -> Vec<Discrepancy> {
        self.winners
            .iter()
            .filter(|(_, w)| w.queued.is_none())
            .map(|(h, w)| Discrepancy {
                seqs: w.won_at.into_iter().collect(),
                what: format!("ticket {h} won but was never queued for redemption"),
            })
            .collect()
    }
}

/// A refusal's kind: its text up to the first `sender=` detail.
fn reason_kind(reason: &str) -> String {
    reason
        .split(" sender=")
        .next()
        .unwrap_or(reason)
        .to_string()
}
