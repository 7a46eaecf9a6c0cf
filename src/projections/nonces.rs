//! Nonce state on both sides. O: the set of sender nonces seen per recipientRandHash (at most
//! 600), purged once the params' expiration block is reached on L1. B: ticket sessions keyed by
//! recipientRandHash with the last nonce used (the first ticket gets nonce 1).

use super::{hash_keyed::HashKeyed, Projection};
use crate::events::{Envelope, Event, Hash32, SenderSessionStarted, TicketOutcome, TicketReceived};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The reference's error text for expired params; such a ticket still consumes its nonce.
pub const TICKET_PARAMS_EXPIRED: &str = "TicketParams expired";

/// Whether a received ticket took its nonce: accepted ones, and ones refused only because their
/// params had expired (the reference records the nonce before the expiry check).
pub fn consumes_nonce(t: &TicketReceived) -> bool {
    match &t.outcome {
        TicketOutcome::Accepted { .. } => true,
        TicketOutcome::Rejected { reason, .. } => reason == TICKET_PARAMS_EXPIRED,
    }
}

/// Nonces seen under one recipientRand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceSet {
    /// The params' expiration block; the set is dropped once L1 reaches it.
    pub expiration_block: u64,
    /// Nonces seen, ascending (encoded as the sorted set it once was).
    pub nonces: Vec<u32>,
}

impl NonceSet {
    /// Adds a nonce (once), keeping the order.
    fn insert(&mut self, nonce: u32) {
        if let Err(i) = self.nonces.binary_search(&nonce) {
            self.nonces.insert(i, nonce);
        }
    }
}

/// O side: nonce sets per recipientRandHash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceSets {
    /// Encoded as the `BTreeMap<Hash32, NonceSet>` it once was.
    sets: HashKeyed<NonceSet>,
    /// (expiration block, recipientRandHash) of every live set, so a new block purges the
    /// expired ones without scanning them all (a B gets fresh params with every segment).
    by_expiry: BTreeSet<(u64, Hash32)>,
}

impl NonceSets {
    /// Folds one record.
    pub fn fold(&mut self, env: &Envelope) {
        match &env.event {
            Event::TicketReceived(t) if consumes_nonce(t) => {
                let (set, made) =
                    self.sets
                        .get_or_insert_with(t.recipient_rand_hash, || NonceSet {
                            expiration_block: t.expiration_block,
                            nonces: Vec::new(),
                        });
                set.insert(t.nonce);
                if made {
                    self.by_expiry
                        .insert((t.expiration_block, t.recipient_rand_hash));
                }
            }
            Event::BlockObserved(b) => {
                // Sets whose expiration block is at or below the new L1 block are dropped.
                let live = self
                    .by_expiry
                    .split_off(&(b.l1_number.saturating_add(1), Hash32::default()));
                let expired = std::mem::replace(&mut self.by_expiry, live);
                for (_, rrh) in expired {
                    self.sets.remove(&rrh);
                }
            }
            _ => {}
        }
    }

    /// The set for a recipientRandHash.
    pub fn get(&self, rrh: &Hash32) -> Option<&NonceSet> {
        self.sets.get(rrh)
    }

    /// Whether `nonce` was seen under `rrh`.
    pub fn seen(&self, rrh: &Hash32, nonce: u32) -> bool {
        self.sets
            .get(rrh)
            .is_some_and(|s| s.nonces.binary_search(&nonce).is_ok())
    }

    /// How many nonces were seen under `rrh`.
    pub fn count(&self, rrh: &Hash32) -> usize {
        self.sets.get(rrh).map_or(0, |s| s.nonces.len())
    }

    /// Number of live sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// True when no set is live.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// A B's ticket session with one O's params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderSession {
    /// The params the session was started with.
    pub params: SenderSessionStarted,
    /// The last nonce used (0 before the first ticket).
    pub last_nonce: u32,
}

/// B side: sessions per recipientRandHash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderSessions {
    sessions: BTreeMap<Hash32, SenderSession>,
}

impl SenderSessions {
    /// Folds one record.
    pub fn fold(&mut self, env: &Envelope) {
        match &env.event {
            Event::SenderSessionStarted(s) => {
                self.sessions.insert(
                    s.recipient_rand_hash,
                    SenderSession {
                        params: s.clone(),
                        last_nonce: 0,
                    },
                );
            }
            Event::TicketsSent(t) => {
                if let Some(s) = self.sessions.get_mut(&t.recipient_rand_hash) {
                    let last = t
                        .first_nonce
                        .saturating_add(t.count)
                        .saturating_sub(1)
                        .max(s.last_nonce);
                    if t.count > 0 {
                        s.last_nonce = last;
                    }
                }
            }
            Event::BlockObserved(b) => {
                self.sessions
                    .retain(|_, s| s.params.expiration_block > b.l1_number);
            }
            _ => {}
        }
    }

    /// A session by its recipientRandHash.
    pub fn get(&self, rrh: &Hash32) -> Option<&SenderSession> {
        self.sessions.get(rrh)
    }
}

impl Projection for NonceSets {
    const NAME: &'static str = "nonce_sets";
    const VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope) {
        self.fold(env);
    }
}

impl Projection for SenderSessions {
    const NAME: &'static str = "sender_sessions";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        self.fold(env);
    }
}
