//! Chain facts: blocks (and reverted blocks), rounds, pool size, a sender's funds (observed whole
//! or changed by a TicketBroker log), orchestrators and unbonding locks.

use super::types::{Address, Hash32, Price, Wei};
use serde::{Deserialize, Serialize};

/// Where a chain log sits: block number and hash, and the log's index in the block.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct ChainPos {
    /// Block number.
    pub block: u64,
    /// Block hash.
    pub block_hash: Hash32,
    /// Log index in the block.
    pub log_index: u32,
}

/// A block the watcher saw as canonical.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockObserved {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: Hash32,
    /// Parent hash.
    pub parent: Hash32,
    /// L1 block number (Arbitrum `l1BlockNumber`; the number itself on L1).
    pub l1_number: u64,
}

/// A previously observed block is no longer canonical.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockReverted {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: Hash32,
}

/// A round was initialized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundInitialized {
    /// Round number.
    pub round: u64,
    /// The round's L1 block hash (may be zero on Arbitrum).
    pub block_hash: Hash32,
    /// The round's start L1 block.
    pub l1_block: u64,
    /// Where the NewRound log sits.
    pub pos: ChainPos,
}

/// The active transcoder pool size for a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSizeChanged {
    /// Round it applies to.
    pub round: u64,
    /// Number of active orchestrators.
    pub size: u64,
}

/// A sender's funds read whole from the chain (at start, or after a reorg).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderFundsObserved {
    /// The sender.
    pub sender: Address,
    /// Deposit.
    pub deposit: Wei,
    /// Reserve funds remaining.
    pub reserve_remaining: Wei,
    /// Reserve claimed in the current round (by all claimants).
    pub claimed_in_round: Wei,
    /// Reserve claimed by us in the current round.
    pub claimed_by_us: Wei,
    /// Withdraw round (0 = locked).
    pub withdraw_round: u64,
    /// Block the values were read at.
    pub block: u64,
}

/// A TicketBroker log that changed a sender's funds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FundsChange {
    /// `DepositFunded(sender, amount)`.
    DepositFunded {
        /// Amount added.
        amount: Wei,
    },
    /// `ReserveFunded(reserveHolder, amount)`.
    ReserveFunded {
        /// Amount added.
        amount: Wei,
    },
    /// `Withdrawal(sender, deposit, reserve)`: everything zeroed.
    Withdrawal {
        /// Deposit withdrawn.
        deposit: Wei,
        /// Reserve withdrawn.
        reserve: Wei,
    },
    /// `WinningTicketTransfer(sender, recipient, amount)`.
    WinningTicketTransfer {
        /// The ticket's recipient.
        recipient: Address,
        /// Amount paid.
        amount: Wei,
    },
    /// `Unlock(sender, startRound, endRound)`.
    Unlock {
        /// Round the unlock started.
        start_round: u64,
        /// Round the funds become withdrawable.
        end_round: u64,
    },
    /// `UnlockCancelled(sender)`.
    UnlockCancelled,
}

/// A sender's funds changed on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderFundsChanged {
    /// The sender.
    pub sender: Address,
    /// What changed.
    pub change: FundsChange,
    /// Where the log sits.
    pub pos: ChainPos,
}

/// An orchestrator's registration as read from the chain or from discovery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrchestratorObserved {
    /// ETH address.
    pub address: Address,
    /// Service URI.
    pub service_uri: String,
    /// First active round.
    pub activation_round: u64,
    /// First inactive round.
    pub deactivation_round: u64,
    /// Total bonded stake.
    pub total_stake: Wei,
    /// Last advertised price.
    pub price: Price,
    /// Block the values were read at.
    pub block: u64,
}

/// What happened to an unbonding lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockChange {
    /// `Unbond`: a lock was created.
    Created {
        /// Amount unbonding.
        amount: Wei,
        /// Round it becomes withdrawable.
        withdraw_round: u64,
    },
    /// `Rebond`: the lock was bonded again.
    Rebonded,
    /// `WithdrawStake`: the lock was withdrawn.
    Withdrawn,
}

/// An unbonding lock of a delegator changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnbondingLockChanged {
    /// The delegator.
    pub delegator: Address,
    /// Lock id.
    pub lock_id: u64,
    /// What happened.
    pub change: LockChange,
    /// Where the log sits.
    pub pos: ChainPos,
}

/// This node drew when it will initialise a round nobody has initialised yet
/// (`-initializeRound`: a random delay up to `-initializeRoundMaxDelay`, so several nodes do not
/// all send it at once). The draw is recorded so a replay knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundInitScheduled {
    /// The round to initialise.
    pub round: u64,
    /// The delay drawn, in ms from this record's time.
    pub delay_ms: u64,
}
