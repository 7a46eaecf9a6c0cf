//! What a go-livepeer database (`lpdb.sqlite3`, facts §7) becomes in this node's log
//! (`livepeer import-lpdb`): its rows, read by the caller, and what the chain says about the
//! transactions they name, in; the events to append (after one `LpdbImported` naming the file),
//! out. Pure: the caller reads the file and the chain.
//!
//! - `kv.dbVersion` above 1 is refused as the reference refuses it (`DB Too New`); a `chainID`
//!   other than the datadir's (or the chain's) is refused with the reference's text.
//! - `ticketQueue`: a ticket not redeemed whose params have expired is queued with its
//!   recipientRand (`RevealedTicketQueued`: the rand is safe to reveal once the params expired);
//!   one whose params are still valid is NOT logged: its rand waits with the node's keys
//!   (`waiting`) until a later import after expiry. A ticket with a `txHash` is resolved by its
//!   receipt: mined → queued, submitted, confirmed in its block; reverted → queued again (a
//!   retryable failure naming the transaction); unknown → queued. `redeemedAt` without a
//!   transaction (go-livepeer #2016) is checked against `usedTickets`: used → given up with
//!   why; not used → queued, so it is redeemed after all. A ticket already in the log is
//!   skipped, so an import can be run again.
//! - `unbondingLocks`: created (and withdrawn when `usedBlock` is set).
//! - `orchestrators`: observed, with the older schema's missing columns as zero.
//! - `blockheaders`: the highest block observed (go-livepeer does not store its L1 number: on
//!   an L1 chain it is the number, on Arbitrum unknown until the node polls).

use crate::events::{
    Address, ChainPos, CreationRound, Event, Hash32, LockChange, LpdbImported, Price,
    RedemptionConfirmed, RedemptionFailed, RedemptionSubmitted, RevealedTicket,
    UnbondingLockChanged, Wei, WinningTicket,
};
use crate::pm::ticket::{Ticket, TicketExpirationParams};
use ethers_core::types::U256;
use std::collections::{BTreeMap, BTreeSet};

/// Arbitrum chains (One, Sepolia, Goerli): their blocks' L1 numbers differ from their own.
const ARBITRUM: [u64; 3] = [42161, 421614, 421613];

/// A `ticketQueue` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketRow {
    /// sender.
    pub sender: Address,
    /// recipient.
    pub recipient: Address,
    /// faceValue.
    pub face_value: U256,
    /// winProb.
    pub win_prob: U256,
    /// senderNonce.
    pub nonce: u32,
    /// recipientRand.
    pub recipient_rand: U256,
    /// recipientRandHash.
    pub recipient_rand_hash: Hash32,
    /// sig.
    pub sig: Vec<u8>,
    /// creationRound.
    pub creation_round: u64,
    /// creationRoundBlockHash.
    pub creation_round_block_hash: Hash32,
    /// paramsExpirationBlock.
    pub expiration_block: u64,
    /// redeemedAt is set.
    pub redeemed: bool,
    /// txHash (none when NULL or zero).
    pub tx_hash: Option<Hash32>,
}

/// An `unbondingLocks` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRow {
    /// id.
    pub id: u64,
    /// delegator.
    pub delegator: Address,
    /// amount.
    pub amount: U256,
    /// withdrawRound.
    pub withdraw_round: u64,
    /// usedBlock.
    pub used_block: Option<u64>,
}

/// An `orchestrators` row (the older schema lacks the last four columns: zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrchRow {
    /// ethereumAddr.
    pub address: Address,
    /// serviceURI.
    pub service_uri: String,
    /// pricePerPixel.
    pub price_per_pixel: i64,
    /// activationRound.
    pub activation_round: u64,
    /// deactivationRound.
    pub deactivation_round: u64,
    /// stake.
    pub stake: u64,
}

/// A database's rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lpdb {
    /// `kv.dbVersion`.
    pub db_version: u32,
    /// `kv.chainID`.
    pub chain_id: Option<u64>,
    /// `ticketQueue`.
    pub tickets: Vec<TicketRow>,
    /// `unbondingLocks`.
    pub locks: Vec<LockRow>,
    /// `orchestrators`.
    pub orchestrators: Vec<OrchRow>,
    /// The highest `blockheaders` row: number, hash, parent.
    pub last_block: Option<(u64, Hash32, Hash32)>,
}

/// A transaction's receipt as the chain has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// Mined in `block`; `ok` false when it reverted.
    Mined {
        /// Its block.
        block: u64,
        /// Whether it succeeded.
        ok: bool,
    },
    /// No receipt.
    Unknown,
}

/// What the caller learnt: the chain head's L1 block, receipts and `usedTickets`.
#[derive(Clone, Debug, Default)]
pub struct ChainFacts {
    /// The L1 block params expire against.
    pub l1_block: u64,
    /// Receipts of the rows' transactions.
    pub receipts: BTreeMap<Hash32, Receipt>,
    /// `usedTickets(hash)` of the rows redeemed without a transaction.
    pub used: BTreeMap<Hash32, bool>,
}

/// The import.
#[derive(Clone, Debug, Default)]
pub struct ImportPlan {
    /// To append, `LpdbImported` first.
    pub events: Vec<Event>,
    /// Tickets whose params are still valid: hash, recipientRand, expiration block (kept with
    /// the keys, never logged before expiry).
    pub waiting: Vec<(Hash32, U256, u64)>,
    /// For the operator.
    pub summary: String,
}

/// The ticket hash of a row (as `TicketBroker.getTicketHash`).
pub fn ticket_hash(t: &TicketRow) -> Hash32 {
    ticket_of(t).hash()
}

fn ticket_of(t: &TicketRow) -> Ticket {
    Ticket {
        recipient: t.recipient,
        sender: t.sender,
        face_value: t.face_value,
        win_prob: t.win_prob,
        sender_nonce: t.nonce,
        recipient_rand_hash: t.recipient_rand_hash,
        expiration: TicketExpirationParams {
            creation_round: t.creation_round,
            creation_round_block_hash: t.creation_round_block_hash,
        },
        params_expiration_block: t.expiration_block,
        price: Price::default(),
    }
}

fn wei(v: U256) -> Wei {
    let mut b = [0u8; 32];
    v.to_big_endian(&mut b);
    Wei(b)
}

fn hash_of(v: U256) -> Hash32 {
    Hash32(wei(v).0)
}

/// The transactions whose receipts, and the tickets whose `usedTickets`, the plan needs.
pub fn chain_questions(db: &Lpdb) -> (Vec<Hash32>, Vec<Hash32>) {
    let txs = db.tickets.iter().filter_map(|t| t.tx_hash).collect();
    let used = db
        .tickets
        .iter()
        .filter(|t| t.redeemed && t.tx_hash.is_none())
        .map(ticket_hash)
        .collect();
    (txs, used)
}

/// Plans the import of `db` (file `file`, its blake3 `file_hash`) into a datadir whose chain id
/// is `datadir_chain` (none: never on a chain) and whose log already holds `known` tickets.
pub fn plan(
    db: &Lpdb,
    file: &str,
    file_hash: Hash32,
    datadir_chain: Option<u64>,
    known: &BTreeSet<Hash32>,
    chain: &ChainFacts,
) -> Result<ImportPlan, String> {
    if db.db_version > 1 {
        return Err("DB Too New".into());
    }
    let chain_id = db
        .chain_id
        .ok_or("the database has no kv.chainID: it was never used on a chain")?;
    if let Some(ours) = datadir_chain.filter(|c| *c != chain_id) {
        return Err(format!(
            "expecting chainID of {ours}, but got {chain_id}. Did you change networks without \
             changing network name or datadir?"
        ));
    }
    let mut out = Vec::new();
    let (mut queued, mut confirmed, mut waiting, mut skipped, mut given_up) = (0, 0, 0, 0, 0);
    let mut plan = ImportPlan::default();
    for t in &db.tickets {
        let hash = ticket_hash(t);
        if known.contains(&hash) {
            skipped += 1;
            continue;
        }
        let expired = t.expiration_block < chain.l1_block;
        if !t.redeemed && t.tx_hash.is_none() && !expired {
            plan.waiting
                .push((hash, t.recipient_rand, t.expiration_block));
            waiting += 1;
            continue;
        }
        out.push(Event::RevealedTicketQueued(Box::new(RevealedTicket {
            ticket: WinningTicket {
                recipient: t.recipient,
                sender: t.sender,
                face_value: wei(t.face_value),
                win_prob: wei(t.win_prob),
                nonce: t.nonce,
                recipient_rand_hash: t.recipient_rand_hash,
                creation: CreationRound {
                    round: t.creation_round,
                    block_hash: t.creation_round_block_hash,
                },
                expiration_block: t.expiration_block,
                sig: t.sig.clone(),
                seed: Hash32::default(),
                price: Price::default(),
                ticket_hash: hash,
            },
            recipient_rand: hash_of(t.recipient_rand),
        })));
        queued += 1;
        let failed = |reason: String, retryable: bool| {
            Event::RedemptionFailed(RedemptionFailed {
                ticket_hash: hash,
                reason,
                retryable,
            })
        };
        match (t.tx_hash, t.redeemed) {
            (Some(tx), _) => match chain.receipts.get(&tx).copied().unwrap_or(Receipt::Unknown) {
                Receipt::Mined { block, ok: true } => {
                    out.push(Event::RedemptionSubmitted(RedemptionSubmitted {
                        ticket_hash: hash,
                        tx_hash: tx,
                    }));
                    out.push(Event::RedemptionConfirmed(RedemptionConfirmed {
                        ticket_hash: hash,
                        tx_hash: tx,
                        block,
                    }));
                    confirmed += 1;
                }
                Receipt::Mined { block, ok: false } => out.push(failed(
                    format!("go-livepeer's redemption {tx} reverted in block {block} (imported)"),
                    true,
                )),
                Receipt::Unknown => {}
            },
            (None, true) if chain.used.get(&hash).copied().unwrap_or(false) => {
                out.push(failed(
                    "go-livepeer marked it redeemed without a transaction hash and the \
                     TicketBroker has it as used: nothing left to redeem (imported)"
                        .into(),
                    false,
                ));
                given_up += 1;
            }
            // Redeemed without a transaction but unused on the chain (#2016), or pending with
            // expired params: queued, redeemed by this node.
            _ => {}
        }
    }
    for l in &db.locks {
        let pos = ChainPos {
            block: l.used_block.unwrap_or(0),
            block_hash: Hash32::default(),
            log_index: u32::MAX,
        };
        let change = |change| {
            Event::UnbondingLockChanged(UnbondingLockChanged {
                delegator: l.delegator,
                lock_id: l.id,
                change,
                pos,
            })
        };
        out.push(change(LockChange::Created {
            amount: wei(l.amount),
            withdraw_round: l.withdraw_round,
        }));
        if l.used_block.is_some() {
            out.push(change(LockChange::Withdrawn));
        }
    }
    for o in &db.orchestrators {
        out.push(Event::OrchestratorObserved(
            crate::events::OrchestratorObserved {
                address: o.address,
                service_uri: o.service_uri.clone(),
                activation_round: o.activation_round,
                deactivation_round: o.deactivation_round,
                total_stake: wei(U256::from(o.stake)),
                price: Price {
                    price_per_unit: o.price_per_pixel,
                    pixels_per_unit: 1,
                },
                block: db.last_block.map_or(0, |b| b.0),
            },
        ));
    }
    if let Some((number, hash, parent)) = db.last_block {
        out.push(Event::BlockObserved(crate::events::BlockObserved {
            number,
            hash,
            parent,
            // go-livepeer does not store the L1 number; on an L1 chain it is the number.
            l1_number: if ARBITRUM.contains(&chain_id) {
                0
            } else {
                number
            },
        }));
    }
    let summary = format!(
        "ticketQueue: {} rows: {queued} queued ({confirmed} of them confirmed by their receipts, \
         {given_up} already used on chain), {waiting} waiting for their params to expire, \
         {skipped} already in the log; unbondingLocks: {}; orchestrators: {}; last block: {}",
        db.tickets.len(),
        db.locks.len(),
        db.orchestrators.len(),
        db.last_block.map_or("none".into(), |b| b.0.to_string())
    );
    let mut events = vec![Event::LpdbImported(LpdbImported {
        file: file.into(),
        file_hash,
        chain_id,
        db_version: db.db_version,
        events: u32::try_from(out.len()).unwrap_or(u32::MAX),
        summary: summary.clone(),
    })];
    events.extend(out);
    plan.events = events;
    plan.summary = summary;
    Ok(plan)
}
