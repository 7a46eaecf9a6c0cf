//! A decoded log of the Livepeer contracts → an [`Event`], with its [`ChainPos`] from the log's
//! metadata. Total: any input gives an event, `None` or a typed [`ChainError`], never a panic.
//!
//! The log's contract address is not checked here: the watcher filters logs by address (as
//! go-livepeer's `EventDecoder` does) before mapping them.

use super::convert::{self, address_word, to_u32, to_u64, word};
use super::topics::Kind;
use super::ChainError;
use crate::events::{
    ChainPos, Event, FundsChange, Hash32, LockChange, RoundInitialized, SenderFundsChanged,
    UnbondingLockChanged,
};
use ethers_core::types::Log;

/// Whether the log was removed by a reorg. Removed logs are never mapped: the watcher appends
/// `BlockReverted` and re-reads the affected state whole instead (DESIGN.md).
pub fn is_removed(log: &Log) -> bool {
    log.removed == Some(true)
}

/// The kind of a log, from its topic0; `None` for other topics or a log without topics.
pub fn kind(log: &Log) -> Option<Kind> {
    log.topics.first().and_then(Kind::from_topic0)
}

/// Maps a TicketBroker log to `SenderFundsChanged`.
///
/// `Ok(None)` for logs of other topics and for removed logs (see [`is_removed`]). A `NewRound`
/// log gives [`ChainError::NeedsL1Block`]: its round's start L1 block is not in the log (the
/// watcher reads `RoundsManager.currentRoundStartBlock`, as go-livepeer's TimeWatcher does) and
/// is passed to [`round_from_log`]. Guessing 0 would store a wrong fact.
pub fn event_from_log(log: &Log) -> Result<Option<Event>, ChainError> {
    let Some(kind) = kind(log) else {
        return Ok(None);
    };
    if is_removed(log) {
        return Ok(None);
    }
    if kind == Kind::NewRound {
        return Err(ChainError::NeedsL1Block);
    }
    let words = shape(log, kind)?;
    let pos = pos(log, kind)?;
    if let Some(change) = lock_change(log, kind, &words)? {
        return Ok(Some(change));
    }
    let sender = topic_address(log, kind, 1)?;
    let amount = |i: usize| convert::wei(word(&words[i]));
    let change = match kind {
        Kind::DepositFunded => FundsChange::DepositFunded { amount: amount(0) },
        Kind::ReserveFunded => FundsChange::ReserveFunded { amount: amount(0) },
        Kind::Withdrawal => FundsChange::Withdrawal {
            deposit: amount(0),
            reserve: amount(1),
        },
        Kind::WinningTicketTransfer => FundsChange::WinningTicketTransfer {
            recipient: topic_address(log, kind, 2)?,
            amount: amount(0),
        },
        Kind::Unlock => FundsChange::Unlock {
            start_round: round(&words[0], kind, "startRound")?,
            end_round: round(&words[1], kind, "endRound")?,
        },
        Kind::UnlockCancelled => FundsChange::UnlockCancelled,
        Kind::NewRound => return Err(ChainError::NeedsL1Block),
        Kind::Unbond | Kind::Rebond | Kind::WithdrawStake => return Ok(None),
    };
    Ok(Some(Event::SenderFundsChanged(SenderFundsChanged {
        sender,
        change,
        pos,
    })))
}

/// A BondingManager unbonding-lock log (`Unbond`, `Rebond`, `WithdrawStake`) as
/// `UnbondingLockChanged`; `None` for other kinds.
fn lock_change(log: &Log, kind: Kind, words: &[[u8; 32]]) -> Result<Option<Event>, ChainError> {
    let (delegator_topic, change) = match kind {
        Kind::Unbond => (
            2,
            LockChange::Created {
                amount: convert::wei(word(&words[1])),
                withdraw_round: round(&words[2], kind, "withdrawRound")?,
            },
        ),
        Kind::Rebond => (2, LockChange::Rebonded),
        Kind::WithdrawStake => (1, LockChange::Withdrawn),
        _ => return Ok(None),
    };
    Ok(Some(Event::UnbondingLockChanged(UnbondingLockChanged {
        delegator: topic_address(log, kind, delegator_topic)?,
        lock_id: round(&words[0], kind, "unbondingLockId")?,
        change,
        pos: pos(log, kind)?,
    })))
}

/// Maps a RoundsManager `NewRound(uint256 indexed round, bytes32 blockHash)` log to
/// `RoundInitialized`, with the round's start L1 block `l1_block` (not in the log). `Ok(None)`
/// for logs of other topics and for removed logs.
pub fn round_from_log(log: &Log, l1_block: u64) -> Result<Option<RoundInitialized>, ChainError> {
    if kind(log) != Some(Kind::NewRound) || is_removed(log) {
        return Ok(None);
    }
    let kind = Kind::NewRound;
    let words = shape(log, kind)?;
    let pos = pos(log, kind)?;
    let r = log.topics.get(1).map(|t| t.0).unwrap_or_default();
    Ok(Some(RoundInitialized {
        round: round(&r, kind, "round")?,
        block_hash: Hash32(words[0]),
        l1_block,
        pos,
    }))
}

/// Where the log sits; an error for a pending log.
fn pos(log: &Log, kind: Kind) -> Result<ChainPos, ChainError> {
    let pending = |missing| ChainError::Pending {
        event: kind.name(),
        missing,
    };
    let block = log.block_number.ok_or(pending("block number"))?;
    let block_hash = log.block_hash.ok_or(pending("block hash"))?;
    let log_index = log.log_index.ok_or(pending("log index"))?;
    Ok(ChainPos {
        block: block.as_u64(),
        block_hash: convert::hash(block_hash),
        log_index: to_u32(log_index).ok_or(ChainError::Overflow {
            event: kind.name(),
            field: "logIndex",
            ty: "u32",
        })?,
    })
}

/// Checks the topic count and data length; the data's 32-byte words.
fn shape(log: &Log, kind: Kind) -> Result<Vec<[u8; 32]>, ChainError> {
    if log.topics.len() != kind.topic_count() {
        return Err(ChainError::TopicCount {
            event: kind.name(),
            expected: kind.topic_count(),
            got: log.topics.len(),
        });
    }
    if log.data.len() != kind.data_len() {
        return Err(ChainError::DataLength {
            event: kind.name(),
            expected: kind.data_len(),
            got: log.data.len(),
        });
    }
    Ok(log
        .data
        .chunks_exact(32)
        .map(|c| {
            let mut w = [0u8; 32];
            w.copy_from_slice(c);
            w
        })
        .collect())
}

/// The address in topic `index` (the count was checked by [`shape`]).
fn topic_address(
    log: &Log,
    kind: Kind,
    index: usize,
) -> Result<crate::events::Address, ChainError> {
    log.topics
        .get(index)
        .and_then(|t| address_word(&t.0))
        .ok_or(ChainError::BadAddress {
            event: kind.name(),
            index,
        })
}

/// A round number word as `u64`.
fn round(w: &[u8; 32], kind: Kind, field: &'static str) -> Result<u64, ChainError> {
    to_u64(word(w)).ok_or(ChainError::Overflow {
        event: kind.name(),
        field,
        ty: "u64",
    })
}
