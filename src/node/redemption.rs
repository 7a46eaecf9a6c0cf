//! The ticket queue's redemption on each new L1 block (facts §3.10, with our guard): the pure
//! plan (`pm::redeem::plan_redemptions`) says, per sender, which ticket goes next and what is
//! held or given up; each planned ticket is sent through the account's [`TxOwner`] as
//! `redeemWinningTicket(ticket, sig, recipientRand)`. A revert at the estimate (the round not
//! initialised, the lock window, a used or expired ticket) is recorded with the contract's
//! reason — retried on later blocks unless it can never succeed — and nothing is signed.

use super::{txs::TxError, txs::TxOwner, writer::Writer};
use crate::chain::{calls, tx::Call, ChainError};
use crate::events::{Event, TxPurpose, WinningTicket};
use crate::log::LogStore;
use crate::pm::{
    redeem::{failed, plan_redemptions, recipient_rand_of, Plan},
    RandSecret,
};
use ethers_core::types::{Address, U256};
use std::sync::Arc;

/// Gas a redemption is costed at before sending (the reference's L2 value).
pub const REDEEM_GAS: u64 = 1_200_000;

/// What the redemption loop needs besides the queue.
pub struct Redeemer<S: LogStore> {
    /// The account's transaction owner.
    pub txs: Arc<TxOwner<S>>,
    /// The node's writer.
    pub writer: Arc<Writer<S>>,
    /// The TicketBroker.
    pub ticket_broker: Address,
    /// The O's recipientRand secret (tickets queued without their rand); a pure redeemer has
    /// none and is handed the rand with each ticket.
    pub secret: Option<RandSecret>,
}

impl<S: LogStore> Redeemer<S> {
    /// One pass over the queue; returns how many tickets were sent.
    pub async fn tick(&self) -> Result<usize, TxError> {
        self.writer
            .catch_up()
            .map_err(|e| TxError::Log(e.to_string()))?;
        let idle = self.writer.read(|p| {
            let q = &p.ticket_queue.state;
            q.redeemable().is_empty() && q.expired().is_empty()
        });
        if idle {
            // Nothing to redeem: no RPC call at all.
            return Ok(0);
        }
        let gas_price = self.txs.rpc().gas_price().await?;
        let (plans, rands) = self.writer.read(|p| {
            let q = &p.ticket_queue.state;
            let plans = plan_redemptions(q, &p.sender_funds.state, gas_price, REDEEM_GAS);
            let rands: Vec<_> = q.iter().map(|(h, t)| (*h, t.rand)).collect();
            (plans, rands)
        });
        let plans = plans.map_err(|e| TxError::Refused(e.to_string()))?;
        let mut sent = 0;
        for plan in plans {
            match plan {
                Plan::Skip(event) => {
                    match &event {
                        Event::RedemptionHeld(h) => {
                            tracing::info!("ticket {} held: {}", h.ticket_hash, h.reason)
                        }
                        Event::RedemptionFailed(f) => {
                            tracing::warn!("ticket {} not redeemed: {}", f.ticket_hash, f.reason)
                        }
                        _ => {}
                    }
                    self.record(vec![event]).await?;
                }
                Plan::Redeem(t) => {
                    let given = rands
                        .iter()
                        .find(|(h, _)| *h == t.ticket_hash)
                        .and_then(|(_, r)| *r);
                    let rand = match (given, &self.secret) {
                        (Some(r), _) => U256::from_big_endian(&r.0),
                        (None, Some(secret)) => recipient_rand_of(&t, secret),
                        (None, None) => {
                            self.record(vec![failed(&t, "no recipientRand for this ticket")])
                                .await?;
                            continue;
                        }
                    };
                    if self.send(&t, rand).await? {
                        sent += 1;
                    }
                }
            }
        }
        Ok(sent)
    }

    async fn record(&self, events: Vec<Event>) -> Result<(), TxError> {
        self.txs.record(events).await
    }

    /// Sends one redemption; a refusal before signing is recorded (once per reason).
    async fn send(&self, t: &WinningTicket, rand: U256) -> Result<bool, TxError> {
        let data = calls::redeem_winning_ticket(t, rand)?;
        let call = Call::new(self.ticket_broker, data, U256::zero());
        let purpose = TxPurpose::Redeem {
            ticket_hash: t.ticket_hash,
        };
        let reason = match self.txs.submit(call, purpose).await {
            Ok(hash) => {
                tracing::info!("redeeming ticket {} in transaction {hash:?}", t.ticket_hash);
                return Ok(true);
            }
            Err(TxError::Chain(ChainError::Reverted(r))) => r,
            Err(TxError::Refused(r)) => r,
            Err(e) => return Err(e),
        };
        let note = self.writer.read(|p| {
            p.ticket_queue
                .state
                .get(&t.ticket_hash)
                .and_then(|q| q.note.clone())
        });
        if note.as_deref() != Some(reason.as_str()) {
            tracing::warn!("ticket {} not redeemed: {reason}", t.ticket_hash);
            self.record(vec![failed(t, &reason)]).await?;
        }
        Ok(false)
    }
}
