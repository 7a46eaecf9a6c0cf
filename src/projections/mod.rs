//! Projections: pure folds over the log (being written by the lead; the payment projections
//! below implement `apply`, `NAME` and `VERSION` and are wired into the registry there).

pub mod balances;
pub mod max_float;
pub mod nonces;
pub mod payments;
pub mod ticket_queue;
