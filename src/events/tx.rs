//! Transaction facts: every transaction the node's account signs is recorded (raw bytes
//! included) before it is broadcast, so a restart finds it again, re-broadcasts the identical
//! bytes when the chain never saw them, and knows the nonce is taken; then its receipt, or why
//! it was given up.

use super::types::{Address, Hash32, Wei};
use serde::{Deserialize, Serialize};

/// Why the node sent a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxPurpose {
    /// `TicketBroker.redeemWinningTicket` for a queued ticket.
    Redeem {
        /// The ticket.
        ticket_hash: Hash32,
    },
    /// `BondingManager.reward` in a round.
    Reward {
        /// The round.
        round: u64,
    },
    /// `RoundsManager.initializeRound` for a round.
    InitializeRound {
        /// The round.
        round: u64,
    },
    /// An operator's chain action (`fundDeposit`, `bond`, ...).
    Action {
        /// The action's name, as the CLI route names it.
        name: String,
    },
}

/// A transaction signed by the node's account, recorded before it is broadcast.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxSigned {
    /// The account's nonce it uses.
    pub nonce: u64,
    /// Its hash.
    pub hash: Hash32,
    /// The destination contract.
    pub to: Address,
    /// Gas price it pays.
    pub gas_price: Wei,
    /// Gas limit.
    pub gas_limit: u64,
    /// The signed RLP bytes, as broadcast.
    pub raw: Vec<u8>,
    /// Why it was sent.
    pub purpose: TxPurpose,
    /// The transaction at the same nonce it replaces (a higher gas price after a timeout).
    pub replaces: Option<Hash32>,
}

/// A recorded transaction was mined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxMined {
    /// Its nonce.
    pub nonce: u64,
    /// Its hash.
    pub hash: Hash32,
    /// The block.
    pub block: u64,
    /// The block's hash.
    pub block_hash: Hash32,
    /// Whether it succeeded (receipt status 1).
    pub success: bool,
    /// Gas it used.
    pub gas_used: u64,
}

/// The transactions at a nonce were given up (timed out after every replacement, or the nonce
/// was used by a transaction the node did not record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxAbandoned {
    /// The nonce.
    pub nonce: u64,
    /// The last transaction at it.
    pub hash: Hash32,
    /// Why.
    pub reason: String,
}
