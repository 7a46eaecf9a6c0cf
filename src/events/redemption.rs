//! Redemption facts beyond submit/confirm/fail: a ticket held back (its sender cannot cover the
//! face value yet), a ticket a redeemer was handed with its recipientRand revealed, and a max
//! float an O learnt from its redeemer.

use super::payment::WinningTicket;
use super::types::{Address, Hash32, Wei};
use serde::{Deserialize, Serialize};

/// A redeemable ticket was not sent, and why (the sender's deposit plus this recipient's
/// claimable reserve is below the face value, so this contract version would pay it only in
/// part); it is tried again on later blocks while it is valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionHeld {
    /// The ticket.
    pub ticket_hash: Hash32,
    /// Why, for the operator.
    pub reason: String,
    /// The L1 block the decision was taken at.
    pub l1_block: u64,
}

/// A winning ticket handed to a redeemer (`QueueTicket`), with the recipientRand its O revealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedTicket {
    /// The ticket (no seed or price: the redeemer cannot recompute the rand, it is given it).
    pub ticket: WinningTicket,
    /// The recipientRand, 32 bytes big-endian.
    pub recipient_rand: Hash32,
}

/// A max float for a sender, as this O's redeemer reported it (`MaxFloat`, `MonitorMaxFloat`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxFloatReported {
    /// The sender.
    pub sender: Address,
    /// The max float in wei.
    pub max_float: Wei,
}

/// An O handed a winning ticket to its redeemer (`-redeemerAddr`), which redeems it from now on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketForwarded {
    /// The ticket.
    pub ticket_hash: Hash32,
    /// The redeemer (`host:port`).
    pub redeemer: String,
}
