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
    seed_tag: Option<crate::pm::seed_tag::SeedTag>,
}

impl<S: LogStore> Payments<S> {
    /// Payments to `me` through `writer`.
    pub fn new(writer: Arc<Writer<S>>, me: Address, secret: RandSecret) -> Self {
        Payments {
            writer,
            me,
            secret,
            seed_tag: None,
        }
    }

    /// Refuses params without this node's seed tag (Os sharing their secret, `pm::seed_tag`).
    pub fn with_seed_tag(mut self, tag: Option<crate::pm::seed_tag::SeedTag>) -> Self {
        self.seed_tag = tag;
        self
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
        // Signatures are checked before the state lock: senders' payments verify in parallel.
        let checked = crate::pm::presig::check_signatures(payment);
        let decided = self
            .writer
            .decide(&key, at_ms, |p| {
                let d = decide_payment(
                    p.payment_view(),
                    Recipient {
                        address: self.me,
                        secret: &self.secret,
                        seed_tag: self.seed_tag,
                    },
                    PaymentInput {
                        payment,
                        session,
                        last_l1_block: p.ticket_queue.state.last_l1_block(),
                        last_initialized_round: p.ticket_queue.state.current_round(),
                        recipient_active,
                        checked: checked.as_deref(),
                    },
                );
                Ok::<_, std::convert::Infallible>((d.events, d.error))
            })
            .await?;
        let Ok((error, envelopes)) = decided;
        Ok(PaymentReceipt { envelopes, error })
    }
}

/// Closes the balance sessions untouched for the balance TTL (`BalanceExpired`, with what each
/// held), each under the writer key `key_of` gives its account (the key its moves use), so a
/// session credited meanwhile is not closed. Returns how many closed.
pub async fn expire_balances<S: LogStore>(
    writer: &Writer<S>,
    now_ms: u64,
    key_of: impl Fn(&crate::events::Account) -> String,
) -> usize {
    use crate::pm::accounting::{stale_sessions, BALANCE_TTL_MS};
    let stale = writer.read(|p| stale_sessions(&p.balances.state, now_ms, BALANCE_TTL_MS));
    let mut closed = 0;
    for e in stale {
        let crate::events::Event::BalanceExpired(x) = &e else {
            continue;
        };
        let account = x.account.clone();
        let decided = writer
            .decide(&key_of(&account), now_ms, |p| {
                let again = stale_sessions(&p.balances.state, now_ms, BALANCE_TTL_MS);
                let events: Vec<_> = again
                    .into_iter()
                    .filter(|e| matches!(e, crate::events::Event::BalanceExpired(y) if y.account == account))
                    .collect();
                Ok::<_, std::convert::Infallible>((events, ()))
            })
            .await;
        match decided {
            Ok(Ok((_, envs))) => closed += envs.len(),
            Err(e) => tracing::warn!("closing an idle balance: {e}"),
        }
    }
    closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Account, BalanceChanged, Event, Ratio, Side};
    use crate::log::MemoryLog;

    #[tokio::test]
    async fn a_balance_untouched_for_ten_minutes_closes_with_what_it_held() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, _) = Writer::open(log).unwrap();
        let account = Account {
            side: Side::Orchestrator,
            counterparty: Address([2; 20]),
            session: "s".into(),
        };
        let credit = Event::BalanceCredited(BalanceChanged {
            account: account.clone(),
            amount: Ratio::from_u128(70),
            balance: Ratio::from_u128(70),
        });
        w.append(1_000, vec![credit]).await.unwrap();
        let key = |_: &Account| "k".to_string();
        assert_eq!(
            expire_balances(&w, 601_000, key).await,
            0,
            "not idle long enough"
        );
        assert_eq!(expire_balances(&w, 601_001, key).await, 1);
        let last = w
            .log()
            .read(0, u64::MAX)
            .last()
            .unwrap()
            .unwrap()
            .envelope
            .event;
        assert_eq!(
            last,
            Event::BalanceExpired(crate::events::BalanceExpired {
                account: account.clone(),
                left: Ratio::from_u128(70),
            })
        );
        assert!(w.read(|p| p.balances.state.get(&account).is_none()));
        assert_eq!(expire_balances(&w, 700_000, key).await, 0, "closed once");
    }
}
