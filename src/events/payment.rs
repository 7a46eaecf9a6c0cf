//! Payment facts: ticket params issued and received tickets (O side), sessions and tickets sent
//! (B side), winning tickets and their redemption, balances and fixed prices.

use super::types::{Address, Hash32, Price, Ratio, Wei};
use serde::{Deserialize, Serialize};

/// Which side of a payment relationship a balance belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Side {
    /// Kept by an orchestrator about a broadcaster (sender).
    Orchestrator,
    /// Kept by a broadcaster about an orchestrator (recipient).
    Broadcaster,
}

/// A balance account: (side, counterparty, session id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Account {
    /// Whose view this is.
    pub side: Side,
    /// The other party's address (sender for O, recipient for B).
    pub counterparty: Address,
    /// Session id (O: `auth_token.session_id`; B: O's session id).
    pub session: String,
}

/// The expiration params of a ticket: the round it was created in and that round's block hash.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct CreationRound {
    /// Round number.
    pub round: u64,
    /// L1 block hash of the round's start.
    pub block_hash: Hash32,
}

/// Ticket params an O handed to a sender. The seed is the O's randomness, recorded here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketParamsIssued {
    /// The sender the params are for.
    pub sender: Address,
    /// keccak256(recipientRand).
    pub recipient_rand_hash: Hash32,
    /// Face value in wei.
    pub face_value: Wei,
    /// Win probability as a fraction of 2^256 − 1.
    pub win_prob: Wei,
    /// Last L1 block for which the params are valid (exclusive).
    pub expiration_block: u64,
    /// Creation round and its block hash.
    pub creation: CreationRound,
    /// The HMAC seed.
    pub seed: Hash32,
    /// Price per pixel that went into the HMAC.
    pub price: Price,
}

/// What became of a received ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketOutcome {
    /// Accepted and credited with its EV.
    Accepted {
        /// Whether it won.
        won: bool,
        /// Its expected value, credited to the session.
        ev: Ratio,
    },
    /// Rejected with the reference's error text.
    Rejected {
        /// The error text.
        reason: String,
        /// Whether the error aborts the whole payment.
        fatal: bool,
        /// Whether it won anyway (a winning ticket with expired params is still queued).
        won: bool,
    },
}

/// A ticket received by an O, with the check's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketReceived {
    /// The ticket's sender.
    pub sender: Address,
    /// Session the payment belongs to.
    pub session: String,
    /// The ticket's recipientRandHash.
    pub recipient_rand_hash: Hash32,
    /// The sender's nonce.
    pub nonce: u32,
    /// The ticket hash (keccak256, as on chain).
    pub ticket_hash: Hash32,
    /// Expiration block of the params the ticket was made under.
    pub expiration_block: u64,
    /// The outcome.
    pub outcome: TicketOutcome,
}

/// Everything needed to redeem a winning ticket later, including the inputs that recompute its
/// recipientRand from the O's persisted secret (the rand itself is not logged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinningTicket {
    /// Ticket recipient (us).
    pub recipient: Address,
    /// Ticket sender.
    pub sender: Address,
    /// Face value.
    pub face_value: Wei,
    /// Win probability.
    pub win_prob: Wei,
    /// Sender nonce.
    pub nonce: u32,
    /// recipientRandHash.
    pub recipient_rand_hash: Hash32,
    /// Creation round and hash (the auxData).
    pub creation: CreationRound,
    /// Params expiration block.
    pub expiration_block: u64,
    /// The sender's 65-byte signature.
    pub sig: Vec<u8>,
    /// HMAC seed of the params.
    pub seed: Hash32,
    /// Price that went into the HMAC.
    pub price: Price,
    /// The ticket hash.
    pub ticket_hash: Hash32,
}

/// A redemption transaction was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionSubmitted {
    /// The ticket.
    pub ticket_hash: Hash32,
    /// The transaction.
    pub tx_hash: Hash32,
}

/// A redemption transaction was mined successfully.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionConfirmed {
    /// The ticket.
    pub ticket_hash: Hash32,
    /// The transaction.
    pub tx_hash: Hash32,
    /// Block it was mined in.
    pub block: u64,
}

/// A redemption attempt failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionFailed {
    /// The ticket.
    pub ticket_hash: Hash32,
    /// The error text.
    pub reason: String,
    /// Whether the ticket stays queued for another attempt.
    pub retryable: bool,
}

/// A balance moved; carries the balance after the move so folds stay trivial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceChanged {
    /// The account.
    pub account: Account,
    /// The amount moved (always ≥ 0).
    pub amount: Ratio,
    /// The balance after the move.
    pub balance: Ratio,
}

/// A session's price was fixed by its first payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedPriceSet {
    /// The account.
    pub account: Account,
    /// The price that applies for the session's lifetime.
    pub price: Price,
}

/// A B started a ticket session with an O's params.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderSessionStarted {
    /// The O's address.
    pub recipient: Address,
    /// The params' recipientRandHash (the session key).
    pub recipient_rand_hash: Hash32,
    /// Face value.
    pub face_value: Wei,
    /// Win probability.
    pub win_prob: Wei,
    /// Params expiration block.
    pub expiration_block: u64,
    /// Creation round used for the tickets.
    pub creation: CreationRound,
    /// Seed echoed back to the O.
    pub seed: Hash32,
    /// The O's price.
    pub price: Price,
}

/// A B's ticket session pays for this O session: recorded in the same append as the
/// `SenderSessionStarted` it belongs to, so the tickets of a session (`TicketsSent`, keyed by
/// recipientRandHash) go to the stream of the O session (`BroadcastSessionOpened`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSessionFor {
    /// The ticket session's key (the params' recipientRandHash).
    pub recipient_rand_hash: Hash32,
    /// The O session (`auth_token.session_id`) it pays for.
    pub session_id: String,
}

/// A B signed tickets in a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketsSent {
    /// The session key.
    pub recipient_rand_hash: Hash32,
    /// Nonce of the first ticket.
    pub first_nonce: u32,
    /// How many tickets.
    pub count: u32,
    /// EV of each ticket.
    pub ev: Ratio,
}

/// A balance session untouched for the balance TTL (10 minutes) was closed, with what was left
/// in it (the B's unspent credit on the O, or the O's unpaid work on the B).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceExpired {
    /// The account.
    pub account: Account,
    /// The balance it held.
    pub left: Ratio,
}
