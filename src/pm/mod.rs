//! Probabilistic micropayments, wire-compatible with go-livepeer's `pm` package. **Pure**: time,
//! randomness (seeds), secrets and chain state are arguments; nothing here does I/O, reads a
//! clock or keeps state. Decisions read projections and return events.
//!
//! - Foundations: [`ticket`] (tickets, params, the ticket hash), [`sig`] (EIP-191 signatures,
//!   raw bytes checked first), [`secp`] (recovery: libsecp256k1, and k256 for comparison),
//!   [`win`] (winning rule, winProb), [`recipient_rand`] (the HMAC),
//!   [`num`]/[`error`] (checked 256-bit and rational arithmetic), [`rat`] (the same exact
//!   rational results, faster, for the payment path), [`wire`] (the payment as received),
//!   [`segdata`] (profile IDs and the SegData preimage).
//! - O side: [`issue`] (ticket params), [`price`] (the quote: `-autoAdjustPrice`, 3
//!   decimals), [`receive`] (`decide_payment`), [`accounting`] (debit, sufficient balance),
//!   [`redeem`] (redemption planning), [`seed_tag`] (sibling Os sharing a secret refuse each
//!   other's tickets).
//! - B side: [`sender`] (param validation, sessions, signed batches), [`fee`] (fee estimate),
//!   [`accounting`] (`StageUpdate` / `completeBalanceUpdate`).

pub mod accounting;
pub mod error;
pub mod fee;
pub mod issue;
pub mod max_divisors;
pub mod num;
pub mod presig;
pub mod price;
pub mod rat;
pub mod receive;
pub mod receive_error;
pub mod recipient_rand;
pub mod redeem;
pub mod reveal;
pub mod secp;
pub mod seed_tag;
pub mod segdata;
pub mod sender;
pub mod sig;
pub mod ticket;
pub mod verify;
pub mod win;
pub mod wire;

pub use error::NumError;
pub use receive::{decide_payment, PaymentDecision, PaymentInput, PaymentView, Recipient};
pub use receive_error::PaymentError;
pub use recipient_rand::{recipient_rand, recipient_rand_hash, RandInputs, RandSecret};
pub use ticket::{
    ticket_ev, Ticket, TicketExpirationParams, TicketParams, TicketSenderParams, MAX_WIN_PROB,
};
