//! Why an O refused a payment or a ticket, with the reference's exact texts and its fatal /
//! non-fatal split (facts §3.8). A fatal error aborts the payment; a non-fatal one is remembered
//! and stops further credit, while the remaining tickets are still checked.

use super::error::NumError;
use crate::projections::nonces::TICKET_PARAMS_EXPIRED;

/// A refused payment or ticket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Ticket params without a sender.
    #[error("Could not find Sender for payment: {0}")]
    NoSender(String),
    /// The ticket recipient is not an active orchestrator this round.
    #[error("orchestrator {recipient} is inactive in round {round}, cannot process payments")]
    Inactive {
        /// EIP-55 address.
        recipient: String,
        /// Last initialized round.
        round: u64,
    },
    /// `expected_price` missing or with pixelsPerUnit ≤ 0.
    #[error("invalid expected price sent with payment err={0:?}")]
    InvalidExpectedPrice(String),
    /// A wire field of the wrong size (the reference would silently truncate or mis-hash it).
    #[error("invalid payment: {0}")]
    Malformed(#[from] NumError),
    /// The sender's funds are unknown.
    #[error("could not get sender info for {sender}: {err}")]
    SenderInfo {
        /// EIP-55 address.
        sender: String,
        /// Why.
        err: String,
    },
    /// The sender's unlock ends next round or earlier.
    #[error("deposit and reserve for sender {0} is set to unlock soon")]
    UnlockSoon(String),
    /// Ticket recipient is not us.
    #[error("invalid ticket recipient")]
    InvalidRecipient,
    /// Ticket sender is the zero address.
    #[error("invalid ticket sender")]
    InvalidSender,
    /// The recomputed recipientRand does not hash to the ticket's recipientRandHash.
    #[error("invalid recipientRand for ticket recipientRandHash")]
    InvalidRecipientRand,
    /// The params carry a sibling O's seed tag: issued by another node sharing this secret
    /// (a ticket replayed across Os behind one address).
    #[error("ticket params were issued by another orchestrator node (seed tag {theirs}, this node {mine})")]
    ForeignParams {
        /// The params' tag.
        theirs: String,
        /// This node's tag.
        mine: String,
    },
    /// Bad signature (non-fatal).
    #[error("invalid ticket signature")]
    InvalidSignature,
    /// Nonce already used under this recipientRand (non-fatal).
    #[error("invalid ticket senderNonce: already seen sender={sender} nonce={nonce}")]
    NonceSeen {
        /// EIP-55 address.
        sender: String,
        /// The nonce.
        nonce: u32,
    },
    /// 600 nonces already used under this recipientRand (non-fatal).
    #[error("invalid ticket senderNonce: too many values sender={sender} nonce={nonce}")]
    TooManyNonces {
        /// EIP-55 address.
        sender: String,
        /// The nonce.
        nonce: u32,
    },
    /// `ParamsExpirationBlock ≤ LastSeenL1Block` (non-fatal; the ticket may still have won).
    #[error("{}", TICKET_PARAMS_EXPIRED)]
    ParamsExpired,
}

impl PaymentError {
    /// Whether the reference treats it as `FatalReceiveErr` (or returns before the ticket loop).
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            PaymentError::InvalidSignature
                | PaymentError::NonceSeen { .. }
                | PaymentError::TooManyNonces { .. }
                | PaymentError::ParamsExpired
        )
    }
}
