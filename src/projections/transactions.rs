//! The node account's transactions by nonce: what was signed there (every replacement kept,
//! with the raw bytes, so a restart can broadcast them again), and how the nonce ended — mined
//! (with the hash that made it) or given up. A mined transaction whose block is reverted is open
//! again until its receipt is read anew.

use super::Projection;
use crate::events::{Address, Envelope, Event, Hash32, TxPurpose, Wei};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One signed transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// Its hash.
    pub hash: Hash32,
    /// Destination.
    pub to: Address,
    /// Gas price.
    pub gas_price: Wei,
    /// Gas limit.
    pub gas_limit: u64,
    /// The signed bytes.
    pub raw: Vec<u8>,
    /// Why it was sent.
    pub purpose: TxPurpose,
    /// When it was signed (the record's time), for the confirmation timeout.
    pub signed_ms: u64,
}

/// How a nonce ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Mined.
    Mined {
        /// The transaction that was mined.
        hash: Hash32,
        /// The block.
        block: u64,
        /// The block's hash.
        block_hash: Hash32,
        /// Receipt status.
        success: bool,
    },
    /// Given up.
    Abandoned {
        /// Why.
        reason: String,
    },
}

/// What the node signed at one nonce.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtNonce {
    /// Every transaction signed at it, oldest first (later ones replace earlier ones).
    pub sent: Vec<Sent>,
    /// How it ended; `None` while open.
    pub outcome: Option<Outcome>,
}

impl AtNonce {
    /// The latest transaction signed at this nonce.
    pub fn latest(&self) -> Option<&Sent> {
        self.sent.last()
    }
}

/// The account's transactions, and the round initialisations it scheduled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transactions {
    nonces: BTreeMap<u64, AtNonce>,
    /// Round → when this node initialises it (ms), as drawn (`RoundInitScheduled`).
    init_due: BTreeMap<u64, u64>,
}

impl Transactions {
    /// Folds one record.
    pub fn fold(&mut self, env: &Envelope) {
        match &env.event {
            Event::TxSigned(t) => {
                let at = self.nonces.entry(t.nonce).or_default();
                at.sent.push(Sent {
                    hash: t.hash,
                    to: t.to,
                    gas_price: t.gas_price,
                    gas_limit: t.gas_limit,
                    raw: t.raw.clone(),
                    purpose: t.purpose.clone(),
                    signed_ms: env.at_ms,
                });
                at.outcome = None;
            }
            Event::TxMined(m) => {
                if let Some(at) = self.nonces.get_mut(&m.nonce) {
                    at.outcome = Some(Outcome::Mined {
                        hash: m.hash,
                        block: m.block,
                        block_hash: m.block_hash,
                        success: m.success,
                    });
                }
            }
            Event::TxAbandoned(a) => {
                if let Some(at) = self.nonces.get_mut(&a.nonce) {
                    at.outcome = Some(Outcome::Abandoned {
                        reason: a.reason.clone(),
                    });
                }
            }
            Event::RoundInitScheduled(r) => {
                self.init_due
                    .insert(r.round, env.at_ms.saturating_add(r.delay_ms));
            }
            Event::BlockReverted(r) => {
                for at in self.nonces.values_mut() {
                    if matches!(&at.outcome, Some(Outcome::Mined { block_hash, .. }) if *block_hash == r.hash)
                    {
                        at.outcome = None;
                    }
                }
            }
            _ => {}
        }
    }

    /// Mined transactions in blocks above `block`: (block, block hash, transaction hash).
    pub fn mined_above(&self, block: u64) -> Vec<(u64, Hash32, Hash32)> {
        self.nonces
            .values()
            .filter_map(|at| match &at.outcome {
                Some(Outcome::Mined {
                    hash,
                    block: b,
                    block_hash,
                    ..
                }) if *b > block => Some((*b, *block_hash, *hash)),
                _ => None,
            })
            .collect()
    }

    /// The nonce after the highest one recorded (0 when none is).
    pub fn next_nonce(&self) -> u64 {
        self.nonces.keys().next_back().map_or(0, |n| n + 1)
    }

    /// Nonces still open (signed, neither mined nor given up), lowest first.
    pub fn open(&self) -> impl Iterator<Item = (u64, &AtNonce)> {
        self.nonces
            .iter()
            .filter(|(_, at)| at.outcome.is_none())
            .map(|(n, at)| (*n, at))
    }

    /// One nonce.
    pub fn get(&self, nonce: u64) -> Option<&AtNonce> {
        self.nonces.get(&nonce)
    }

    /// The nonce and record of a transaction by hash.
    pub fn by_hash(&self, hash: &Hash32) -> Option<(u64, &AtNonce, &Sent)> {
        self.nonces.iter().find_map(|(n, at)| {
            at.sent
                .iter()
                .find(|s| s.hash == *hash)
                .map(|s| (*n, at, s))
        })
    }

    /// When this node initialises `round`, if it drew a time for it.
    pub fn init_due(&self, round: u64) -> Option<u64> {
        self.init_due.get(&round).copied()
    }

    /// Whether a transaction for `purpose` was signed and not given up.
    pub fn sent_for(&self, purpose: &TxPurpose) -> bool {
        self.nonces.values().any(|at| {
            !matches!(at.outcome, Some(Outcome::Abandoned { .. }))
                && at.sent.iter().any(|s| s.purpose == *purpose)
        })
    }

    /// Every nonce.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &AtNonce)> {
        self.nonces.iter().map(|(n, at)| (*n, at))
    }
}

impl Projection for Transactions {
    const NAME: &'static str = "transactions";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        self.fold(env);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{BlockReverted, TxMined, TxSigned};

    fn signed(nonce: u64, hash: u8, replaces: Option<u8>) -> Event {
        Event::TxSigned(TxSigned {
            nonce,
            hash: Hash32([hash; 32]),
            to: Address([1; 20]),
            gas_price: Wei::from_u128(1),
            gas_limit: 21_000,
            raw: vec![hash],
            purpose: TxPurpose::Reward { round: 1 },
            replaces: replaces.map(|r| Hash32([r; 32])),
        })
    }

    fn fold(events: Vec<Event>) -> Transactions {
        let mut t = Transactions::default();
        for (i, e) in events.into_iter().enumerate() {
            t.fold(&Envelope::new(
                i as u64,
                i as u64 * 10,
                Hash32::default(),
                e,
            ));
        }
        t
    }

    #[test]
    fn a_replacement_stays_at_its_nonce_and_a_reverted_block_reopens_it() {
        let mined = Event::TxMined(TxMined {
            nonce: 0,
            hash: Hash32([2; 32]),
            block: 9,
            block_hash: Hash32([9; 32]),
            success: true,
            gas_used: 21_000,
        });
        let t = fold(vec![
            signed(0, 1, None),
            signed(0, 2, Some(1)),
            signed(1, 3, None),
            mined.clone(),
        ]);
        assert_eq!(t.next_nonce(), 2);
        assert_eq!(t.get(0).unwrap().sent.len(), 2);
        assert_eq!(t.get(0).unwrap().latest().unwrap().signed_ms, 10);
        assert_eq!(t.open().map(|(n, _)| n).collect::<Vec<_>>(), vec![1]);
        assert_eq!(t.by_hash(&Hash32([1; 32])).unwrap().0, 0);
        let reverted = Event::BlockReverted(BlockReverted {
            number: 9,
            hash: Hash32([9; 32]),
        });
        let t = fold(vec![signed(0, 1, None), mined, reverted]);
        assert_eq!(t.open().map(|(n, _)| n).collect::<Vec<_>>(), vec![0]);
    }
}
