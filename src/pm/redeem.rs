//! Redemption planning over the ticket queue (facts §3.9–3.10): which ticket to redeem next per
//! sender, the pre-checks with their texts and retryability, and the classification of failures.
//! Sending the transaction is the caller's effect; its outcome comes back as an event.

use super::error::NumError;
use super::num::{mul, wei_to_u256};
use super::recipient_rand::{recipient_rand, RandInputs, RandSecret};
use super::ticket::TicketExpirationParams;
use crate::events::{Event, RedemptionFailed, RedemptionHeld, WinningTicket};
use crate::projections::{max_float::SenderFunds, ticket_queue::TicketQueue};
use ethers_core::types::U256;
use std::collections::BTreeSet;

/// Whether a failure text means the ticket can never be redeemed: used (`ticket already used`
/// from the reference's pre-check, `ticket is used` from the contract), expired, a reverted
/// transaction, or a creation round with no block hash.
pub fn is_non_retryable(reason: &str) -> bool {
    reason.contains("ticket already used")
        || reason.contains("ticket is used")
        || reason.contains("ticket is expired")
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
    /// Do not send; record this event (a retryable failure, a hold, or an expiry).
    Skip(Event),
}

/// The reason text of a hold: the sender's funds (deposit plus this recipient's claimable
/// reserve, less what is already being redeemed) are below the face value.
pub fn hold_reason(available: U256, face_value: U256) -> String {
    format!("sender funds {available} wei below face value {face_value} wei: held until the sender refunds")
}

/// For each sender, its earliest redeemable ticket with the reference's pre-checks:
/// `availableFunds ≤ txCost` → `insufficient sender funds for redeem tx cost` and
/// `faceValue ≤ txCost` → `insufficient ticket face value for redeem tx cost`; then ours: a
/// ticket whose face value the sender's available funds do not cover is held (this contract
/// version would pay it in part and mark it used). Tickets past their validity are given up
/// (`ticket is expired`). A skip whose reason is the ticket's last recorded one is not repeated.
pub fn plan_redemptions(
    queue: &TicketQueue,
    funds: &SenderFunds,
    gas_price: U256,
    redeem_gas: u64,
) -> Result<Vec<Plan>, NumError> {
    let tx_cost = mul(U256::from(redeem_gas), gas_price, "redeem txCost")?;
    let mut plans: Vec<Plan> = queue
        .expired()
        .into_iter()
        .map(|q| Plan::Skip(failed(&q.ticket, "ticket is expired")))
        .collect();
    let mut seen = BTreeSet::new();
    for q in queue.redeemable() {
        let t = &q.ticket;
        if !seen.insert(t.sender) {
            continue;
        }
        let available = funds
            .available_funds(&t.sender, &t.recipient)
            .unwrap_or_default();
        let face_value = wei_to_u256(&t.face_value);
        let plan = if available <= tx_cost {
            Plan::Skip(failed(t, "insufficient sender funds for redeem tx cost"))
        } else if face_value <= tx_cost {
            Plan::Skip(failed(
                t,
                "insufficient ticket face value for redeem tx cost",
            ))
        } else if available < face_value {
            Plan::Skip(Event::RedemptionHeld(RedemptionHeld {
                ticket_hash: t.ticket_hash,
                reason: hold_reason(available, face_value),
                l1_block: queue.last_l1_block(),
            }))
        } else {
            Plan::Redeem(t.clone())
        };
        let repeated = match &plan {
            Plan::Skip(Event::RedemptionFailed(f)) => q.note.as_deref() == Some(f.reason.as_str()),
            Plan::Skip(Event::RedemptionHeld(h)) => q.note.as_deref() == Some(h.reason.as_str()),
            _ => false,
        };
        if !repeated {
            plans.push(plan);
        }
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
