//! The O's payment desk: receives a payment through the node's writer — decide
//! (`pm::decide_payment` against the projections) → append → apply, serialised per sender — so
//! two concurrent payments of one sender can never both pass the nonce check against the same
//! snapshot. The chain clock (last L1 block, current round) is the projections'.

use super::writer::{WriteError, Writer};
use crate::events::{Address, Envelope};
use crate::log::LogStore;
use crate::pm::{
    decide_payment, num::address_from, wire::WirePayment, PaymentError, PaymentInput, RandSecret,
    Recipient,
};
use std::sync::Arc;

/// What became of a payment.
#[derive(Debug, Clone)]
pub struct PaymentReceipt {
    /// The records as stored.
    pub envelopes: Vec<Envelope>,
    /// The refusal to send back (HTTP 400), if any.
    pub error: Option<PaymentError>,
}

/// Payment decisions for recipient `me` with its persisted secret.
pub struct Payments<S: LogStore> {
    writer: Arc<Writer<S>>,
    me: Address,
    secret: RandSecret,
}

impl<S: LogStore> Payments<S> {
    /// Payments to `me` through `writer`.
    pub fn new(writer: Arc<Writer<S>>, me: Address, secret: RandSecret) -> Self {
        Payments { writer, me, secret }
    }

    /// A desk over its own writer on `log` (restored from checkpoints).
    pub fn open(
        log: Arc<crate::log::Log<S>>,
        me: Address,
        secret: RandSecret,
    ) -> Result<Self, crate::log::LogError> {
        let (writer, _) = Writer::open(log)?;
        Ok(Payments::new(Arc::new(writer), me, secret))
    }

    /// Appends observed facts (chain events) through the writer.
    pub async fn append(
        &self,
        at_ms: u64,
        events: Vec<crate::events::Event>,
    ) -> Result<Vec<Envelope>, WriteError> {
        self.writer.append(at_ms, events).await
    }

    /// Reads the payment projections (a copy of the writer's).
    pub fn with_projections<R>(
        &self,
        f: impl FnOnce(&crate::projections::payments::PaymentProjections) -> R,
    ) -> R {
        let p = self.writer.read(crate::projections::Projections::payments);
        f(&p)
    }

    /// The writer (and through it the log and the projections).
    pub fn writer(&self) -> &Arc<Writer<S>> {
        &self.writer
    }

    /// Receives one payment for balance session `session`.
    pub async fn receive_payment(
        &self,
        at_ms: u64,
        payment: &WirePayment,
        session: &str,
        recipient_active: bool,
    ) -> Result<PaymentReceipt, WriteError> {
        let sender = address_from(&payment.sender, "sender").unwrap_or_default();
        let key = format!("sender/{}", hex::encode(sender.0));
        let decided = self
            .writer
            .decide(&key, at_ms, |p| {
                let d = decide_payment(
                    p.payment_view(),
                    Recipient {
                        address: self.me,
                        secret: &self.secret,
                    },
                    PaymentInput {
                        payment,
                        session,
                        last_l1_block: p.ticket_queue.state.last_l1_block(),
                        last_initialized_round: p.ticket_queue.state.current_round(),
                        recipient_active,
                    },
                );
                Ok::<_, std::convert::Infallible>((d.events, d.error))
            })
            .await?;
        let Ok((error, envelopes)) = decided;
        Ok(PaymentReceipt { envelopes, error })
    }
}
