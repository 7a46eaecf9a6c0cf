//! A payment's ticket signatures checked ahead of its decision: each ticket's hash and whether
//! the sender signed it depend on the payment alone (its params, expiration params, expected
//! price, sender and nonces), so the node computes them before it takes the writer's state
//! lock — signature recovery is most of a ticket's cost, and payments of different senders are
//! then checked in parallel — and hands them to `receive::decide_payment`, which uses them in
//! place of its own check at the same step of the reference's order. The results are exactly
//! what the decision would compute (`tests/pm_common`'s world decides every payment both ways
//! and compares).

use super::{
    num::address_from,
    sig,
    ticket::Ticket,
    wire::{parse_expiration, parse_ticket_params, WirePayment},
};
use crate::events::{Hash32, Price};

/// One ticket's hash and whether its signature is the sender's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigCheck {
    /// The ticket's hash.
    pub ticket_hash: Hash32,
    /// Whether the sender signed it.
    pub signed: bool,
}

/// The checks of `payment`'s tickets in its order; `None` when the decision would not reach
/// them through parsed fields (no params, no sender, a field it refuses): it answers those
/// itself.
pub fn check_signatures(payment: &WirePayment) -> Option<Vec<SigCheck>> {
    let sender = address_from(&payment.sender, "sender").ok()?;
    let params = parse_ticket_params(payment.ticket_params.as_ref()?).ok()?;
    let expiration = parse_expiration(payment.expiration_params.as_ref()).ok()?;
    let price = payment
        .expected_price
        .filter(|p| p.pixels_per_unit > 0)
        .map(Price::from)?;
    let checks = payment
        .ticket_sender_params
        .iter()
        .map(|tsp| {
            let ticket = Ticket::new(&params, expiration, sender, tsp.sender_nonce, price);
            let ticket_hash = ticket.hash();
            SigCheck {
                ticket_hash,
                signed: sig::verify(&sender, &ticket_hash.0, &tsp.sig),
            }
        })
        .collect();
    Some(checks)
}
