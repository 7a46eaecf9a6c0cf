//! What `livepeer dispute` is asked about: a ticket by hash, a ticket by
//! `sender:recipientRandHash:nonce` (nonces restart for each recipientRandHash), or a balance
//! session by id; and the seqs the `audit_index` projection holds for it.

use crate::events::{Address, Envelope, Event, Hash32, TicketReceived};
use crate::projections::audit_index::AuditIndex;
use std::collections::BTreeSet;

/// What is disputed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// A ticket by its hash.
    Ticket(Hash32),
    /// A ticket by sender, recipientRandHash and nonce.
    Nonce {
        /// The sender.
        sender: Address,
        /// The params' recipientRandHash.
        rrh: Hash32,
        /// The nonce.
        nonce: u32,
    },
    /// A balance session by its id.
    Session(String),
}

fn hex_bytes<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

impl Query {
    /// `0x<64 hex>` is a ticket hash, `<sender>:<recipientRandHash>:<nonce>` a ticket by nonce,
    /// anything else a session id.
    pub fn parse(s: &str) -> Result<Query, String> {
        let parts: Vec<&str> = s.split(':').collect();
        if let [sender, rrh, nonce] = parts.as_slice() {
            let sender = hex_bytes::<20>(sender).ok_or(format!("bad sender address {sender:?}"))?;
            let rrh = hex_bytes::<32>(rrh).ok_or(format!("bad recipientRandHash {rrh:?}"))?;
            let nonce = nonce.parse().map_err(|_| format!("bad nonce {nonce:?}"))?;
            return Ok(Query::Nonce {
                sender: Address(sender),
                rrh: Hash32(rrh),
                nonce,
            });
        }
        if s.starts_with("0x") && s.len() == 66 {
            return hex_bytes::<32>(s)
                .map(|h| Query::Ticket(Hash32(h)))
                .ok_or(format!("bad ticket hash {s:?}"));
        }
        if s.is_empty() {
            return Err("nothing to dispute: give a ticket hash, sender:recipientRandHash:nonce or a session id".into());
        }
        Ok(Query::Session(s.to_string()))
    }

    /// The seqs the index holds for it (candidates: the fold checks each record).
    pub fn candidates(&self, idx: &AuditIndex) -> Vec<u64> {
        match self {
            Query::Ticket(h) => idx.ticket(h),
            Query::Nonce { rrh, .. } => idx.rrh(rrh),
            Query::Session(s) => idx.session(s),
        }
    }

    /// Every candidate seq: the first ones, then, once their records (`first`) name the
    /// ticket, the index's records about its hash and its recipientRandHash.
    pub fn expand(&self, idx: &AuditIndex, first: &[Envelope]) -> Vec<u64> {
        let mut all: BTreeSet<u64> = self.candidates(idx).into_iter().collect();
        for env in first {
            if let Event::TicketReceived(t) = &env.event {
                if self.matches(t) {
                    all.extend(idx.ticket(&t.ticket_hash));
                    all.extend(idx.rrh(&t.recipient_rand_hash));
                }
            }
        }
        all.into_iter().collect()
    }

    /// Whether `t` is the ticket asked about.
    pub(super) fn matches(&self, t: &TicketReceived) -> bool {
        match self {
            Query::Ticket(h) => t.ticket_hash == *h,
            Query::Nonce { sender, rrh, nonce } => {
                t.sender == *sender && t.recipient_rand_hash == *rrh && t.nonce == *nonce
            }
            Query::Session(_) => false,
        }
    }
}
