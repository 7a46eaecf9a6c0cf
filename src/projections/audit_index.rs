//! The audit's indexes, themselves a projection: for a ticket hash, a recipientRandHash and a
//! balance session, the seqs of the records about it, so `livepeer dispute` finds them without a
//! scan. Keys are the first 8 bytes of the hash (of blake3 of the session id): a lookup returns
//! candidates, which the caller confirms against the records it reads (a collision only costs a
//! read). Only ever grows; no record is indexed twice.

use super::seq_index::SeqIndex;
use super::Projection;
use crate::events::{Account, Envelope, Event, Hash32, TxPurpose};
use serde::{Deserialize, Serialize};

/// A 32-byte hash's index key: its first 8 bytes, big-endian.
pub fn hash_key(h: &Hash32) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.0[..8]);
    u64::from_be_bytes(b)
}

/// A balance session id's index key: the first 8 bytes of its blake3.
pub fn session_key(session: &str) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&blake3::hash(session.as_bytes()).as_bytes()[..8]);
    u64::from_be_bytes(b)
}

/// `(key, seq)` sets per kind of subject.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditIndex {
    /// Records about a ticket: received, queued, held, forwarded, signed, submitted, confirmed,
    /// failed.
    by_ticket: SeqIndex,
    /// Records about a recipientRandHash: params issued, tickets received under them (O); a
    /// ticket session started with them and tickets sent in it (B).
    by_rrh: SeqIndex,
    /// Records about a balance session: credits, debits, fixed price, close, expiry, tickets
    /// received in it (O), the stream's session with its O (B).
    by_session: SeqIndex,
    /// Recent sessions' keys (not state: skipped in the encoding, equal always).
    #[serde(skip)]
    keys: KeyMemo,
}

/// Slots of the session key memo.
const MEMO: usize = 256;

/// A direct-mapped memo of `session_key`: a session's records come in runs, and hashing its
/// name with blake3 for each of them was the largest cost of folding the index.
#[derive(Clone, Debug, Default)]
struct KeyMemo(Vec<Option<(String, u64)>>);

impl PartialEq for KeyMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for KeyMemo {}

impl KeyMemo {
    fn key(&mut self, session: &str) -> u64 {
        // FNV-1a picks the slot; blake3 gives the key on a miss.
        let slot = session.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }) as usize
            % MEMO;
        if self.0.len() < MEMO {
            self.0.resize(MEMO, None);
        }
        match &self.0[slot] {
            Some((s, k)) if s == session => *k,
            _ => {
                let k = session_key(session);
                self.0[slot] = Some((session.to_string(), k));
                k
            }
        }
    }
}

fn seqs(set: &SeqIndex, key: u64) -> Vec<u64> {
    set.seqs(key)
}

impl AuditIndex {
    /// Candidate seqs of records about a ticket hash, in log order.
    pub fn ticket(&self, h: &Hash32) -> Vec<u64> {
        seqs(&self.by_ticket, hash_key(h))
    }

    /// Candidate seqs of records about a recipientRandHash, in log order.
    pub fn rrh(&self, h: &Hash32) -> Vec<u64> {
        seqs(&self.by_rrh, hash_key(h))
    }

    /// Candidate seqs of records about a balance session, in log order.
    pub fn session(&self, session: &str) -> Vec<u64> {
        seqs(&self.by_session, session_key(session))
    }

    /// Number of index entries (for the benchmark's size per event).
    pub fn len(&self) -> usize {
        self.by_ticket.len() + self.by_rrh.len() + self.by_session.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn account(&mut self, a: &Account, seq: u64) {
        let key = self.keys.key(&a.session);
        self.by_session.insert((key, seq));
    }
}

impl Projection for AuditIndex {
    const NAME: &'static str = "audit_index";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        let seq = env.seq;
        let ticket = |h: &Hash32| (hash_key(h), seq);
        match &env.event {
            Event::TicketReceived(t) => {
                self.by_ticket.insert(ticket(&t.ticket_hash));
                self.by_rrh.insert(ticket(&t.recipient_rand_hash));
                let key = self.keys.key(&t.session);
                self.by_session.insert((key, seq));
            }
            Event::TicketParamsIssued(p) => {
                self.by_rrh.insert(ticket(&p.recipient_rand_hash));
            }
            Event::SenderSessionStarted(s) => {
                self.by_rrh.insert(ticket(&s.recipient_rand_hash));
            }
            Event::TicketsSent(s) => {
                self.by_rrh.insert(ticket(&s.recipient_rand_hash));
            }
            Event::WinningTicketQueued(t) => {
                self.by_ticket.insert(ticket(&t.ticket_hash));
            }
            Event::RevealedTicketQueued(t) => {
                self.by_ticket.insert(ticket(&t.ticket.ticket_hash));
            }
            Event::RedemptionSubmitted(r) => {
                self.by_ticket.insert(ticket(&r.ticket_hash));
            }
            Event::RedemptionConfirmed(r) => {
                self.by_ticket.insert(ticket(&r.ticket_hash));
            }
            Event::RedemptionFailed(r) => {
                self.by_ticket.insert(ticket(&r.ticket_hash));
            }
            Event::RedemptionHeld(r) => {
                self.by_ticket.insert(ticket(&r.ticket_hash));
            }
            Event::TicketForwarded(r) => {
                self.by_ticket.insert(ticket(&r.ticket_hash));
            }
            Event::TxSigned(t) => {
                if let TxPurpose::Redeem { ticket_hash } = &t.purpose {
                    self.by_ticket.insert(ticket(ticket_hash));
                }
            }
            Event::BalanceCredited(c) | Event::BalanceDebited(c) => self.account(&c.account, seq),
            Event::FixedPriceSet(f) => self.account(&f.account, seq),
            Event::SessionClosed(a) => self.account(a, seq),
            Event::BalanceExpired(e) => self.account(&e.account, seq),
            Event::BroadcastSessionOpened(o) => {
                let key = self.keys.key(&o.session_id);
                self.by_session.insert((key, seq));
            }
            _ => {}
        }
    }
}
