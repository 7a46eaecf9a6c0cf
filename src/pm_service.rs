//! The thin non-pure shell around the pure payment decisions: it serialises the decisions for one
//! sender with their append (a per-sender async mutex around decide → append → apply), so two
//! concurrent payments can never both pass the nonce check against the same snapshot, and it
//! applies appended records to the payment projections strictly in log order.
//!
//! Every append to the log must go through [`PmService::append`] (or `receive_payment`), since
//! the service waits for the records before its own to be applied.

use crate::events::{Address, Envelope, Event};
use crate::log::{Expect, Log, LogError, LogStore};
use crate::pm::{
    decide_payment, num::address_from, wire::WirePayment, PaymentError, PaymentInput, RandSecret,
    Recipient,
};
use crate::projections::payments::PaymentProjections;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

/// Why a payment could not be processed (its refusal is in the receipt, not here).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The log refused the append.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The projections stopped following the log.
    #[error("payment projections stopped following the log")]
    Stalled,
}

/// What became of a payment.
#[derive(Debug, Clone)]
pub struct PaymentReceipt {
    /// The records as stored.
    pub envelopes: Vec<Envelope>,
    /// The refusal to send back (HTTP 400), if any.
    pub error: Option<PaymentError>,
}

struct Applied {
    proj: PaymentProjections,
    early: BTreeMap<u64, Envelope>,
}

/// Payment decisions over a log and the payment projections.
pub struct PmService<S: LogStore> {
    log: Arc<Log<S>>,
    me: Address,
    secret: RandSecret,
    state: Mutex<Applied>,
    applied: tokio::sync::watch::Sender<u64>,
    senders: Mutex<BTreeMap<Address, Arc<tokio::sync::Mutex<()>>>>,
}

impl<S: LogStore> PmService<S> {
    /// Opens the service: replays the whole log into fresh projections.
    pub fn open(log: Arc<Log<S>>, me: Address, secret: RandSecret) -> Result<Self, LogError> {
        let mut proj = PaymentProjections::default();
        let head = log.head().next_seq;
        if head > 0 {
            for rec in log.read(0, head - 1) {
                proj.apply(&rec?.envelope);
            }
        }
        let (applied, _) = tokio::sync::watch::channel(proj.next_seq);
        Ok(PmService {
            log,
            me,
            secret,
            state: Mutex::new(Applied {
                proj,
                early: BTreeMap::new(),
            }),
            applied,
            senders: Mutex::new(BTreeMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Applied> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the projections.
    pub fn with_projections<R>(&self, f: impl FnOnce(&PaymentProjections) -> R) -> R {
        f(&self.lock().proj)
    }

    fn sender_lock(&self, sender: Address) -> Arc<tokio::sync::Mutex<()>> {
        self.senders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(sender)
            .or_default()
            .clone()
    }

    /// Applies stored records in seq order (buffering ones that arrive early) and waits until
    /// every record up to the last of `envs` is applied.
    async fn ingest(&self, envs: &[Envelope]) -> Result<(), ServiceError> {
        let Some(last) = envs.last().map(|e| e.seq) else {
            return Ok(());
        };
        {
            let mut st = self.lock();
            for e in envs {
                if e.seq >= st.proj.next_seq {
                    st.early.insert(e.seq, e.clone());
                }
            }
            loop {
                let next = st.proj.next_seq;
                let Some(env) = st.early.remove(&next) else {
                    break;
                };
                st.proj.apply(&env);
            }
            self.applied.send_replace(st.proj.next_seq);
            if st.proj.next_seq > last {
                return Ok(());
            }
        }
        let mut rx = self.applied.subscribe();
        rx.wait_for(|applied| *applied > last)
            .await
            .map_err(|_| ServiceError::Stalled)?;
        Ok(())
    }

    /// Appends events (any writer: chain watcher, segments, redemptions) and applies them.
    pub async fn append(
        &self,
        at_ms: u64,
        events: Vec<Event>,
    ) -> Result<Vec<Envelope>, ServiceError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let stamped = events.into_iter().map(|e| (at_ms, e)).collect();
        let receipt = self.log.append(stamped, Expect::Any).await?;
        self.ingest(&receipt.envelopes).await?;
        Ok(receipt.envelopes)
    }

    /// Receives one payment: decide against the projections, append, apply — serialised per
    /// sender. The chain clock is the projections' (last L1 block, current round).
    pub async fn receive_payment(
        &self,
        at_ms: u64,
        payment: &WirePayment,
        session: &str,
        recipient_active: bool,
    ) -> Result<PaymentReceipt, ServiceError> {
        let key = address_from(&payment.sender, "sender").unwrap_or_default();
        let lock = self.sender_lock(key);
        let _guard = lock.lock().await;
        let decision = {
            let st = self.lock();
            decide_payment(
                st.proj.view(),
                Recipient {
                    address: self.me,
                    secret: &self.secret,
                },
                PaymentInput {
                    payment,
                    session,
                    last_l1_block: st.proj.queue.last_l1_block(),
                    last_initialized_round: st.proj.queue.current_round(),
                    recipient_active,
                },
            )
        };
        let envelopes = self.append(at_ms, decision.events).await?;
        Ok(PaymentReceipt {
            envelopes,
            error: decision.error,
        })
    }
}

impl<S: LogStore> PmService<S> {
    /// The log's sync counters (benchmarks).
    pub fn log_counters(&self) -> crate::log::LogCounters {
        self.log.counters()
    }
}
