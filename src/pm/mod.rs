//! Probabilistic micropayments, wire-compatible with go-livepeer's `pm` package. **Pure**: time,
//! randomness (seeds), secrets and chain state are arguments; nothing here does I/O, reads a
//! clock or keeps state. Decisions read projections and return events.
//!
//! - [`ticket`]: tickets, params and the ticket hash; [`sig`]: EIP-191 signatures checked on the
//!   raw bytes first; [`win`]: the winning rule and winProb; [`recipient_rand`]: the HMAC.
//! - [`num`], [`error`]: checked 256-bit and rational arithmetic.
//! - [`segdata`]: profile IDs and the SegData preimage.

pub mod error;
pub mod num;
pub mod recipient_rand;
pub mod segdata;
pub mod sig;
pub mod ticket;
pub mod win;

pub use error::NumError;
pub use recipient_rand::{recipient_rand, recipient_rand_hash, RandInputs, RandSecret};
pub use ticket::{
    ticket_ev, Ticket, TicketExpirationParams, TicketParams, TicketSenderParams, MAX_WIN_PROB,
};
pub mod receive;
pub mod receive_error;
pub mod wire;

pub use receive::{decide_payment, PaymentDecision, PaymentInput, PaymentView, Recipient};
pub use receive_error::PaymentError;
