//! Redemption planning over the ticket queue (facts §3.9–3.10): which ticket to redeem next per
//! sender, the pre-checks with their texts and retryability, and the classification of failures.
//! Sending the transaction is the caller's effect; its outcome comes back as an event.

use super::error::NumError;
use super::num::{mul, wei_to_u256};
use super::recipient_rand::{recipient_rand, RandInputs, RandSecret};
use super::ticket::TicketExpirationParams;
use crate::events::{Event, RedemptionFailed, WinningTicket};
use crate::projections::{max_float::SenderFunds, ticket_queue::TicketQueue};
use ethers_core::types::U256;
use std::collections::BTreeSet;

/// Whether a failure text means the ticket can never be redeemed (`ticket already used`,
/// a reverted transaction, or a creation round with no block hash).
pub fn is_non_retryable(reason: &str) -> bool {
    reason.contains("ticket already used")
        || reason.contains("transaction failed")
        || reason.contains("ticket creationRound does not have a block hash")
}

/// The failure event for `reason`.
pub fn failed(ticket: &WinningTicket, reason: &str) -> Event {
    Event::RedemptionFailed(RedemptionFailed {
        ticket_hash: ticket.ticket_hash,
        reason: reason.to_string(),
        retryable: !is_non_retryable(reason),
    })
}

/// What to do with one redeemable ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Send the redemption transaction.
    Redeem(WinningTicket),
    /// Do not send; record this (retryable) failure.
    Skip(Event),
}

/// For each sender, its earliest redeemable ticket with the reference's pre-checks:
/// `availableFunds ≤ txCost` → `insufficient sender funds for redeem tx cost` and
/// `faceValue ≤ txCost` → `insufficient ticket face value for redeem tx cost`.
pub fn plan_redemptions(
    queue: &TicketQueue,
    funds: &SenderFunds,
    gas_price: U256,
    redeem_gas: u64,
) -> Result<Vec<Plan>, NumError> {
    let tx_cost = mul(U256::from(redeem_gas), gas_price, "redeem txCost")?;
    let mut seen = BTreeSet::new();
    let mut plans = Vec::new();
    for q in queue.redeemable() {
        let t = &q.ticket;
        if !seen.insert(t.sender) {
            continue;
        }
        let available = funds
            .available_funds(&t.sender, &t.recipient)
            .unwrap_or_default();
        let plan = if available <= tx_cost {
            Plan::Skip(failed(t, "insufficient sender funds for redeem tx cost"))
        } else if wei_to_u256(&t.face_value) <= tx_cost {
            Plan::Skip(failed(
                t,
                "insufficient ticket face value for redeem tx cost",
            ))
        } else {
            Plan::Redeem(t.clone())
        };
        plans.push(plan);
    }
    Ok(plans)
}

/// The recipientRand to reveal when redeeming `ticket`, recomputed from the persisted secret and
/// the HMAC inputs the queued ticket carries (the rand itself is never logged).
pub fn recipient_rand_of(ticket: &WinningTicket, secret: &RandSecret) -> U256 {
    recipient_rand(
        secret,
        &RandInputs {
            seed: U256::from_big_endian(&ticket.seed.0),
            sender: ticket.sender,
            face_value: wei_to_u256(&ticket.face_value),
            win_prob: wei_to_u256(&ticket.win_prob),
            expiration_block: ticket.expiration_block,
            price: ticket.price,
            expiration: TicketExpirationParams {
                creation_round: ticket.creation.round,
                creation_round_block_hash: ticket.creation.block_hash,
            },
        },
    )
}
